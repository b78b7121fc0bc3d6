package oncall

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/internal/i18n"
)

// Command is a parsed /koban oncall command: *ShowCommand, *CoverCommand,
// *SwapCommand, *ListCommand, *RemoveCommand or *NoteCommand.
type Command interface{ command() }

// ShowCommand asks who is on call now ("/koban oncall" or "who").
type ShowCommand struct{ Rotation string }

// CoverCommand puts Person on call in [From, To).
type CoverCommand struct {
	Person   Person
	From, To Moment
	Rotation string // "" for the default
}

// SwapCommand exchanges the caller's next shift with Person's next shift.
type SwapCommand struct {
	Person   Person
	Rotation string
}

// ListCommand lists the upcoming shifts and overrides.
type ListCommand struct{ Rotation string }

// RemoveCommand deletes override ID.
type RemoveCommand struct{ ID int64 }

// NoteCommand leaves a note for the next handoff.
type NoteCommand struct {
	Text     string
	Rotation string
}

func (*ShowCommand) command()   {}
func (*CoverCommand) command()  {}
func (*SwapCommand) command()   {}
func (*ListCommand) command()   {}
func (*RemoveCommand) command() {}
func (*NoteCommand) command()   {}

// Person is someone named in a command: a Slack user ID when Slack escaped
// the mention (<@U123|alice>), else the name typed after "@".
type Person struct {
	ID   string // "U123"; empty when only Name is known
	Name string // "alice"; may be empty
}

// String renders the person as Slack shows a mention.
func (p Person) String() string {
	if p.ID != "" {
		return "<@" + p.ID + ">"
	}
	return "@" + p.Name
}

// Moment is a point in time as typed, resolved later in the rotation's zone:
// "now", "today 18:00", "tomorrow", "friday 09:00", "2026-11-23 09:00".
type Moment struct {
	Now     bool
	Date    time.Time // a calendar date (midnight UTC); zero for relative forms
	Days    int       // for relative forms: days after today (tomorrow = 1)
	Weekday *time.Weekday
	Clock   int // minutes after midnight; -1 when no time was given
}

// Resolve returns the instant the moment means at now in loc. A date
// without a time means defaultClock (the rotation's handoff time). A weekday
// is its next occurrence, today included when the time is still ahead.
func (m Moment) Resolve(now time.Time, loc *time.Location, defaultClock int) time.Time {
	if m.Now {
		return now
	}
	clock := m.Clock
	if clock < 0 {
		clock = defaultClock
	}
	if !m.Date.IsZero() {
		return wallClock(m.Date.Year(), m.Date.Month(), m.Date.Day(), clock, loc)
	}
	n := now.In(loc)
	if m.Weekday != nil {
		days := (int(*m.Weekday) - int(n.Weekday()) + 7) % 7
		t := wallClock(n.Year(), n.Month(), n.Day()+days, clock, loc)
		if !t.After(now) {
			t = wallClock(n.Year(), n.Month(), n.Day()+days+7, clock, loc)
		}
		return t
	}
	return wallClock(n.Year(), n.Month(), n.Day()+m.Days, clock, loc)
}

// Usage is the help text for /koban oncall in lang.
func Usage(lang string) string { return i18n.Say(lang, "oncall.usage") }

// mentionRE matches an escaped Slack mention: <@U123> or <@U123|alice>.
var mentionRE = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$`)

// ParseCommand parses the text after "/koban oncall". Errors are EInvalid
// and say what to type.
func ParseCommand(text string) (Command, error) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return &ShowCommand{}, nil
	}
	verb, args := strings.ToLower(fields[0]), fields[1:]
	switch verb {
	case "who", "now", "show":
		rot, err := rotationArg(args, verb, "who in platform")
		if err != nil {
			return nil, err
		}
		return &ShowCommand{Rotation: rot}, nil
	case "cover":
		return parseCover(args)
	case "swap":
		rest, rot, err := cutRotation(args)
		if err != nil {
			return nil, err
		}
		if len(rest) != 1 {
			return nil, invalid("oncall.error.swap_who")
		}
		p, err := parsePerson(rest[0])
		if err != nil {
			return nil, err
		}
		return &SwapCommand{Person: p, Rotation: rot}, nil
	case "list", "ls":
		rot, err := rotationArg(args, "list", "list platform")
		if err != nil {
			return nil, err
		}
		return &ListCommand{Rotation: rot}, nil
	case "remove", "rm", "delete":
		if len(args) != 1 {
			return nil, invalid("oncall.error.remove_which")
		}
		id, err := strconv.ParseInt(strings.TrimPrefix(args[0], "#"), 10, 64)
		if err != nil || id <= 0 {
			return nil, invalid("oncall.error.remove_number", "Arg", strconv.Quote(args[0]))
		}
		return &RemoveCommand{ID: id}, nil
	case "note":
		rest := strings.TrimSpace(text[strings.Index(strings.ToLower(text), "note")+len("note"):])
		if rest == "" {
			return nil, invalid("oncall.error.note_empty")
		}
		return &NoteCommand{Text: rest}, nil
	case "help":
		return nil, invalid("oncall.usage")
	}
	return nil, invalid("oncall.error.unknown", "Verb", fields[0], "Usage", i18n.Message{ID: "oncall.usage"})
}

// invalid is an EInvalid error saying message id of the catalogue, filled
// from key/value pairs.
func invalid(id string, kv ...any) error { return koban.Say(koban.EInvalid, id, i18n.Pairs(kv...)) }

// cutRotation removes a trailing "in ROTATION" from args.
func cutRotation(args []string) (rest []string, rotation string, err error) {
	n := len(args)
	if n >= 1 && strings.EqualFold(args[n-1], "in") {
		return nil, "", invalid("oncall.error.in_what")
	}
	if n >= 2 && strings.EqualFold(args[n-2], "in") {
		return args[:n-2], args[n-1], nil
	}
	return args, "", nil
}

func parsePerson(s string) (Person, error) {
	if m := mentionRE.FindStringSubmatch(s); m != nil {
		return Person{ID: m[1], Name: m[2]}, nil
	}
	if name, ok := strings.CutPrefix(s, "@"); ok && name != "" {
		return Person{Name: name}, nil
	}
	if isUserID(s) && len(s) >= 9 {
		return Person{ID: s}, nil
	}
	return Person{}, invalid("oncall.error.not_person", "Arg", strconv.Quote(s))
}

func parseCover(args []string) (Command, error) {
	example := i18n.Message{ID: "oncall.error.cover_example"}
	args, rot, err := cutRotation(args)
	if err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return nil, invalid("oncall.error.cover_who", "Example", example)
	}
	p, err := parsePerson(args[0])
	if err != nil {
		return nil, err
	}
	cmd := &CoverCommand{Person: p, Rotation: rot, From: Moment{Now: true, Clock: -1}}
	args = args[1:]
	// Split at "to"/"until"; "from" is optional and means now when left out.
	toAt := -1
	for i, a := range args {
		if l := strings.ToLower(a); l == "to" || l == "until" || l == "till" {
			toAt = i
			break
		}
	}
	if toAt < 0 {
		return nil, invalid("oncall.error.cover_until", "Person", p.String(), "Example", example)
	}
	fromArgs, toArgs := args[:toAt], args[toAt+1:]
	if len(fromArgs) > 0 {
		if !strings.EqualFold(fromArgs[0], "from") {
			return nil, invalid("oncall.error.not_understood", "Arg", strconv.Quote(strings.Join(fromArgs, " ")), "Example", example)
		}
		if cmd.From, err = parseMoment(fromArgs[1:]); err != nil {
			return nil, err
		}
	}
	if cmd.To, err = parseMoment(toArgs); err != nil {
		return nil, err
	}
	return cmd, nil
}

// parseMoment parses "now", "today [HH:MM]", "tomorrow [HH:MM]",
// "WEEKDAY [HH:MM]", "YYYY-MM-DD [HH:MM]", "YYYY-MM-DDTHH:MM" or "HH:MM".
func parseMoment(words []string) (Moment, error) {
	forms := i18n.Message{ID: "oncall.error.time_forms"}
	m := Moment{Clock: -1}
	if len(words) == 0 || len(words) > 2 {
		return m, invalid("oncall.error.give_time", "Forms", forms)
	}
	day := strings.ToLower(words[0])
	if d, c, ok := strings.Cut(day, "t"); ok && len(words) == 1 && len(d) == len("2006-01-02") {
		words = []string{d, c}
		day = d
	}
	clockSet := false
	if len(words) == 2 {
		c, err := parseClock(words[1])
		if err != nil {
			return m, invalid("oncall.error.not_clock", "Arg", strconv.Quote(words[1]))
		}
		m.Clock, clockSet = c, true
	}
	switch day {
	case "now":
		if clockSet {
			return m, invalid("oncall.error.now_clock", "Forms", forms)
		}
		m.Now = true
		return m, nil
	case "today":
		return m, nil
	case "tomorrow":
		m.Days = 1
		return m, nil
	}
	if wd, ok := parseWeekday(day); ok {
		m.Weekday = &wd
		return m, nil
	}
	if d, err := time.Parse(time.DateOnly, day); err == nil {
		m.Date = d
		return m, nil
	}
	if c, err := parseClock(day); err == nil && !clockSet {
		m.Clock = c
		return m, nil
	}
	return m, invalid("oncall.error.time_not_understood", "Arg", strconv.Quote(strings.Join(words, " ")), "Forms", forms)
}

// rotationArg reads the one optional argument of verb: a rotation, as
// "in NAME" or NAME alone. example shows the right use.
func rotationArg(args []string, verb, example string) (string, error) {
	rest, rot, err := cutRotation(args)
	if err != nil {
		return "", err
	}
	if len(rest) == 1 && rot == "" {
		rot = rest[0]
	} else if len(rest) > 0 {
		return "", invalid("oncall.error.one_rotation", "Verb", verb, "Example", example)
	}
	return rot, nil
}
