package main

// noOnCallFix tells the operator what to configure when escalations reach
// nobody.
const noOnCallFix = "set oncall.rotations (who is on call, with their channel) or slack.fallback_group (a user group to bring in)"

// noOnCall reports whether nobody is configured to be brought in on an
// escalation: no rotation and no fallback group. Askers are then told that
// no on-call is configured.
func noOnCall(cfg Config) bool {
	return len(cfg.OnCall.Rotations) == 0 && cfg.Slack.FallbackGroup == ""
}

// checkEscalations notes when escalations reach nobody.
func (d *doctor) checkEscalations() {
	if noOnCall(d.a.cfg) {
		d.report(checkNote, "escalations", "no on-call is configured: escalations notify nobody, and askers are told so", noOnCallFix)
	}
}
