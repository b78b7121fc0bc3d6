package main

import (
	"context"
	"slices"
	"time"

	"github.com/kobanhq/koban/desk"
	"github.com/kobanhq/koban/oncall"
	"github.com/kobanhq/koban/store"
)

// deskLabels is desk.LabelSource over the store: the labels humans gave, on
// any replica.
type deskLabels struct{ s *store.Store }

func (l deskLabels) LabelEvents(ctx context.Context, since time.Time) ([]desk.LabelEvent, error) {
	list, err := l.s.LabelEvents(ctx, since, 0)
	out := make([]desk.LabelEvent, len(list))
	for i, le := range list {
		out[i] = desk.LabelEvent{EventID: le.EventID, At: le.At, Text: le.Text, Lang: le.Lang, Label: le.Label, Domain: le.Domain}
	}
	return out, err
}

// responders lists the members of every rotation: who may relabel inquiries
// and remove past answers.
func responders(rots []*oncall.Rotation) []string {
	var out []string
	for _, r := range rots {
		for _, m := range r.Members {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}
