package store

import (
	"context"

	"github.com/kobanhq/koban"
)

// CountInquiries counts every inquiry by state and reported category in
// one grouped query, ordered by state and category.
func (s *Store) CountInquiries(ctx context.Context) ([]koban.InquiryCount, error) {
	// A valid label always has a category: a human's label is there
	// exactly when final_category is set, as Inquiry.Label decides.
	return queryAll(ctx, s, s.read(), "count inquiries", func(r row, c *koban.InquiryCount) error {
		return r.Scan(&c.State, &c.Category, &c.Count)
	}, `
		SELECT state, CASE WHEN final_category <> '' THEN final_category ELSE predicted_category END, COUNT(*)
		FROM inquiries GROUP BY 1, 2 ORDER BY 1, 2`)
}
