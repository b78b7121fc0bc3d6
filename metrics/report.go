// Package metrics computes koban's inquiry statistics and the monthly report:
// volume and its 12-month history, the category split (five-way and rolled up
// to three), bot accuracy against human labels, problem domains, reply times,
// deflection, docs gaps, automation candidates, the most cited pages, load per
// channel and per on-call, and the month-over-month change of the headline
// figures. It renders the report as Markdown, CSV, JSON, PNG/SVG charts and a
// Slack-ready Summary, and schedules it once a month (Reporter).
//
// It is also the live side of those statistics: the Prometheus registry
// (Prometheus) with the inquiry gauge, counted by the store in one query at
// each scrape, answer durations and job failures observed around the job
// that answers an inquiry (ObserveProcess), failed Slack calls and docs
// refreshes. "metrics" means inquiry statistics, monthly or live.
//
// The figures come from a pure function (Compute) over the month's inquiries
// and events, so they are tested without a database. Reading the inquiries is
// left to the store (through the Source and InquiryCounter interfaces
// declared here), Block Kit to the bot (through Poster), serving /metrics to
// the web server, and leader election to the job runner that calls
// Reporter.RunOnce.
package metrics

import (
	"time"

	"github.com/kobanhq/koban"
)

// Report is the monthly report for one month in one time zone.
type Report struct {
	Month       string    `json:"month"`     // "2026-10"
	TimeZone    string    `json:"time_zone"` // IANA name the month is cut in
	From        time.Time `json:"from"`      // first instant of the month
	To          time.Time `json:"to"`        // first instant of the next month
	GeneratedAt time.Time `json:"generated_at"`
	// Language is the language the report is written in ("en", "ja";
	// "" is English): its Markdown, CSV header, charts and Slack summary.
	// The figures and their JSON keys are the same in every language.
	Language string `json:"language,omitempty"`

	Volume     Volume     `json:"volume"`
	Categories Categories `json:"categories"`
	Accuracy   Accuracy   `json:"accuracy"`
	Domains    []Count    `json:"domains"`
	ReplyTimes ReplyTimes `json:"reply_times"`
	Deflection Deflection `json:"deflection"`
	DocsGaps   DocsGaps   `json:"docs_gaps"`
	Automation []Cluster  `json:"automation_candidates"`
	TopPages   []Page     `json:"top_pages"`
	Channels   []Count    `json:"channels"`
	OnCall     []Load     `json:"on_call"`
	Tokens     int        `json:"tokens"`

	// Changes compares the headline figures with the previous month.
	Changes []Change `json:"changes"`
}

// Volume is how many inquiries arrived in the month, and in the twelve
// months ending with it.
type Volume struct {
	Inquiries int          `json:"inquiries"`
	History   []MonthCount `json:"history"` // 12 months, oldest first, the report's month last
	// Months is how many months of History Average, Min and Max are taken
	// over: those since koban's first inquiry (at most 12, 0 before it).
	Months  int     `json:"months"`
	Average float64 `json:"average"` // per month over those months
	Min     int     `json:"min"`
	Max     int     `json:"max"`
}

// MonthCount is the number of inquiries created in one month.
type MonthCount struct {
	Month string `json:"month"` // "2026-10"
	Count int    `json:"count"`
}

// Count is a number of inquiries with something in common (a domain, a
// channel), and its share of the month's inquiries.
type Count struct {
	Name  string  `json:"name"`
	Count int     `json:"count"`
	Share float64 `json:"share"` // in [0,1] of Volume.Inquiries
}

// Categories is the category split of the month's inquiries. Each inquiry is
// counted under its human label when it has one, else under koban's.
//
// The rows of Five and Three each add up to the month's volume: inquiries
// that fit none of the five labels (not triaged yet, or a category without
// its detail) are the last row of Five, named Unclassified; in Three they
// count under their category when they have one, else under Unclassified.
type Categories struct {
	Five           []LabelCount `json:"five"`
	Three          []LabelCount `json:"three"`
	HumanConfirmed int          `json:"human_confirmed"` // inquiries with a human label
}

// Unclassified names the category row of inquiries that fit none of the five
// labels.
const Unclassified = "unclassified"

// LabelCount is the number of inquiries with one label.
type LabelCount struct {
	Label string  `json:"label"` // koban.Label.String(), a koban.Category, or Unclassified
	Count int     `json:"count"`
	Share float64 `json:"share"` // in [0,1] of Volume.Inquiries
	Human int     `json:"human"` // of Count, how many a human labelled
}

// Accuracy is koban's triage measured against the humans' labels, over the
// inquiries that have both.
type Accuracy struct {
	Compared int     `json:"compared"`
	TopLevel float64 `json:"top_level"` // share with the right category
	FiveWay  float64 `json:"five_way"`  // share with the right category and detail
}

// ReplyTimes are the month's reply times, each measured from when koban
// received the inquiry.
type ReplyTimes struct {
	FirstResponse Durations `json:"first_response"`       // koban's first reply
	FirstHuman    Durations `json:"first_human_response"` // the first human reply or ack
	Resolution    Durations `json:"resolution"`

	// Escalations is how the escalations of the month met the reply target:
	// a human reply within Target of the escalation, or within the reply
	// target of the rotation it went to (Targets, by rotation name).
	Target       time.Duration            `json:"-"`
	Targets      map[string]time.Duration `json:"-"`
	Escalations  int                      `json:"escalations"`
	WithinTarget int                      `json:"within_target"`
	Pending      int                      `json:"pending"` // no reply yet, but still within the target
	WithinShare  float64                  `json:"within_target_share"`

	// Buckets is the distribution of the three times, for the chart.
	Buckets []Bucket `json:"buckets"`
}

// Durations summarises a set of durations.
type Durations struct {
	N      int           `json:"n"`
	Median time.Duration `json:"-"`
	P90    time.Duration `json:"-"`
}

// Bucket counts the reply times that fall in [Min, Max) (Max zero: no bound).
type Bucket struct {
	Label         string        `json:"label"`
	Min           time.Duration `json:"-"`
	Max           time.Duration `json:"-"`
	FirstResponse int           `json:"first_response"`
	FirstHuman    int           `json:"first_human_response"`
	Resolution    int           `json:"resolution"`
}

// Deflection is how much of the month the docs handled without a human.
type Deflection struct {
	Answered  int     `json:"answered"`   // koban answered from the docs
	Solved    int     `json:"solved"`     // answered and marked solved with no human called, or solved by the pages suggested before a human replied
	Rate      float64 `json:"rate"`       // Solved over the month's inquiries
	NeedHuman int     `json:"need_human"` // feedback: "need a human"
	DocsWrong int     `json:"docs_wrong"` // feedback: "docs wrong or missing"
}

// DocsGaps lists what the docs did not cover (docs-missing) or covered where
// nobody found it (self-solvable/docs-unfindable), for the docs owners.
type DocsGaps struct {
	Missing    int             `json:"missing"`
	Unfindable int             `json:"unfindable"`
	ByQuadrant []QuadrantCount `json:"by_quadrant"`
	Topics     []Cluster       `json:"topics"`
}

// QuadrantCount counts docs gaps in one Diátaxis quadrant (the quadrant of
// the page the inquiry cited or was related to; Unknown when none).
type QuadrantCount struct {
	Quadrant   koban.Quadrant `json:"quadrant"`
	Missing    int            `json:"missing"`
	Unfindable int            `json:"unfindable"`
}

// Cluster is a group of similar inquiries: the same cited page, or similar
// words in the same domain.
type Cluster struct {
	Topic    string         `json:"topic"` // the page, or the words the inquiries share
	Terms    []string       `json:"terms"`
	Domain   koban.Domain   `json:"domain,omitempty"`
	Quadrant koban.Quadrant `json:"quadrant,omitempty"`
	Pages    []string       `json:"pages,omitempty"`
	Count    int            `json:"count"`

	// Missing and Unfindable split a docs-gap topic; Automation counts the
	// inquiries of an automation cluster a human or koban labelled
	// platform-only/automation-candidate.
	Missing    int `json:"missing,omitempty"`
	Unfindable int `json:"unfindable,omitempty"`
	Automation int `json:"automation_candidate,omitempty"`

	Inquiries []int64 `json:"inquiries"` // a few examples, oldest first
}

// Page is a docs page and how many of the month's inquiries cited it.
type Page struct {
	Path     string         `json:"path"`
	Quadrant koban.Quadrant `json:"quadrant"`
	Count    int            `json:"count"`
}

// Load is the on-call work of one person in the month.
type Load struct {
	Person    string `json:"person"` // Slack user ID
	Assigned  int    `json:"assigned"`
	Escalated int    `json:"escalated"`
	Resolved  int    `json:"resolved"`
	Name      string `json:"name,omitempty"` // display name, when known
}

// Change compares a headline figure with the previous month.
type Change struct {
	Name     string  `json:"name"`
	Unit     Unit    `json:"unit"`
	Current  float64 `json:"current"`
	Previous float64 `json:"previous"`
	// Delta is Current - Previous (percentage points for a share, seconds
	// for a duration); Relative is Delta over Previous, absent when
	// Previous is zero.
	Delta    float64  `json:"delta"`
	Relative *float64 `json:"relative,omitempty"`
	// NoCurrent and NoPrevious say that a month measured nothing (no
	// replies to time, no escalations): its value is not a zero, and
	// Delta is left zero.
	NoCurrent  bool `json:"no_current,omitempty"`
	NoPrevious bool `json:"no_previous,omitempty"`
}

// Unit says how a Change is measured.
type Unit string

// The units of Change.
const (
	UnitCount    Unit = "count"
	UnitShare    Unit = "share"   // in [0,1]
	UnitDuration Unit = "seconds" // a duration in seconds
)
