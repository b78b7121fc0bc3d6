package store

import (
	"context"
	"fmt"

	"github.com/kobanhq/koban"
)

// CountInquiries counts every inquiry by state and reported category in
// one grouped query, ordered by state and category.
func (s *Store) CountInquiries(ctx context.Context) ([]koban.InquiryCount, error) {
	// A valid label always has a category: a human's label is there
	// exactly when final_category is set, as Inquiry.Label decides.
	rows, err := s.read().query(ctx, `
		SELECT state, CASE WHEN final_category <> '' THEN final_category ELSE predicted_category END, COUNT(*)
		FROM inquiries GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("count inquiries: %w", s.dbErr(err))
	}
	defer rows.Close()
	var out []koban.InquiryCount
	for rows.Next() {
		var c koban.InquiryCount
		if err := rows.Scan(&c.State, &c.Category, &c.Count); err != nil {
			return nil, fmt.Errorf("count inquiries: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count inquiries: %w", s.dbErr(err))
	}
	return out, nil
}
