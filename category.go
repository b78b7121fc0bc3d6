package koban

import (
	"fmt"
	"strconv"
	"strings"
)

// Category is the top-level triage category of an inquiry.
type Category string

// The three top-level categories (see DESIGN.md, "Triage").
const (
	// SelfSolvable: the docs answer it, whether or not the asker found the page.
	SelfSolvable Category = "self-solvable"
	// DocsMissing: a reasonable question the docs do not cover, or cover wrongly.
	DocsMissing Category = "docs-missing"
	// PlatformOnly: only the platform team can act on it.
	PlatformOnly Category = "platform-only"
)

// Categories lists the top-level categories in report order.
var Categories = []Category{SelfSolvable, DocsMissing, PlatformOnly}

// Valid reports whether c is one of the three top-level categories.
func (c Category) Valid() bool {
	return c == SelfSolvable || c == DocsMissing || c == PlatformOnly
}

// Detail refines a Category into the five-way split of the monthly report.
type Detail string

// Details of the five-way split. DocsMissing has no detail.
const (
	DetailNone                Detail = ""
	DetailAnswered            Detail = "answered"
	DetailDocsUnfindable      Detail = "docs-unfindable"
	DetailRequired            Detail = "required"
	DetailAutomationCandidate Detail = "automation-candidate"
)

// Label is a category with its detail, as predicted by koban or set by a human.
type Label struct {
	Category Category
	Detail   Detail
}

// Labels lists the five-way split in report order.
var Labels = []Label{
	{SelfSolvable, DetailAnswered},
	{SelfSolvable, DetailDocsUnfindable},
	{DocsMissing, DetailNone},
	{PlatformOnly, DetailRequired},
	{PlatformOnly, DetailAutomationCandidate},
}

// String gives the label as "category/detail", or "category" without detail.
func (l Label) String() string {
	if l.Detail == DetailNone {
		return string(l.Category)
	}
	return string(l.Category) + "/" + string(l.Detail)
}

// IsZero reports whether the label is unset.
func (l Label) IsZero() bool { return l.Category == "" && l.Detail == "" }

// Validate checks that the detail belongs to the category.
func (l Label) Validate() error {
	switch {
	case l.Category == SelfSolvable && (l.Detail == DetailAnswered || l.Detail == DetailDocsUnfindable || l.Detail == DetailNone):
		return nil
	case l.Category == DocsMissing && l.Detail == DetailNone:
		return nil
	case l.Category == PlatformOnly && (l.Detail == DetailRequired || l.Detail == DetailAutomationCandidate || l.Detail == DetailNone):
		return nil
	case !l.Category.Valid():
		return Say(EInvalid, "error.label_category", map[string]any{"Category": strconv.Quote(string(l.Category))})
	}
	return Say(EInvalid, "error.label_detail", map[string]any{"Category": string(l.Category), "Detail": strconv.Quote(string(l.Detail))})
}

// ParseLabel parses "category" or "category/detail".
func ParseLabel(s string) (Label, error) {
	c, d, _ := strings.Cut(strings.TrimSpace(s), "/")
	l := Label{Category: Category(c), Detail: Detail(d)}
	if err := l.Validate(); err != nil {
		return Label{}, err
	}
	return l, nil
}

// Domain is the problem domain of an inquiry, such as "database" or "iam".
// The taxonomy is configurable; DefaultDomains is the default.
type Domain string

// DomainOther is the domain of inquiries that fit no configured domain.
const DomainOther Domain = "other"

// DefaultDomains is the default problem-domain taxonomy.
var DefaultDomains = []Domain{
	"computing", "network", "messaging", "monitoring", "logging", "ci-cd",
	"database", "object-storage", "cdn", "incident-response", "iam",
	"data-platform", DomainOther,
}

// Quadrant is the Diátaxis quadrant of a docs page.
type Quadrant string

// The four Diátaxis quadrants, and Unknown for pages that fit none.
const (
	Tutorial    Quadrant = "tutorial"
	HowTo       Quadrant = "how-to"
	Reference   Quadrant = "reference"
	Explanation Quadrant = "explanation"
	Unknown     Quadrant = "unknown"
)

// Quadrants lists the quadrants in display order.
var Quadrants = []Quadrant{Tutorial, HowTo, Reference, Explanation, Unknown}

// ParseQuadrant maps the names docs sites use for Diátaxis quadrants
// ("how-to", "howto", "guide", "task", "concept", ...) to a Quadrant.
func ParseQuadrant(s string) (Quadrant, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "tutorial", "tutorials":
		return Tutorial, nil
	case "how-to", "howto", "how-to-guide", "how-to guide", "guide", "guides", "task", "tasks":
		return HowTo, nil
	case "reference", "references":
		return Reference, nil
	case "explanation", "explanations", "concept", "concepts", "discussion":
		return Explanation, nil
	case "unknown", "":
		return Unknown, nil
	}
	return Unknown, fmt.Errorf("unknown Diátaxis quadrant %q", s)
}
