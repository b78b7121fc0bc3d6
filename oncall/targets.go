package oncall

import "time"

// ReplyTargets returns each rotation's reply target by name (the default
// where it sets none or an unusable one, which Parse reports), read from
// the configuration alone: the monthly report measures escalations against
// them without resolving members through Slack.
func (c Config) ReplyTargets() map[string]time.Duration {
	out := make(map[string]time.Duration, len(c.Rotations))
	for _, rc := range c.Rotations {
		d := DefaultReplyTarget
		if rc.ReplyTarget != "" {
			if v, err := parseLength(rc.ReplyTarget); err == nil && v > 0 {
				d = v
			}
		}
		out[rc.Name] = d
	}
	return out
}
