package desk

// Redact masks secrets in text with Deps.Redactor, as the desk does before it
// stores anything; without a Redactor it returns text unchanged. Transports
// use it for what they post or log of user text themselves.
func (d *Desk) Redact(text string) (masked string, n int) { return d.redact(text) }
