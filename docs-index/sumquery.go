package docsindex

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// sumQuery scores a document by the weighted sum of its scores for several
// queries (one per field), in one pass over the index. Each part's own
// score is kept in the document's ScoreBreakdown under the part's position,
// so that one search yields the per-field evidence that separate searches
// would. Unlike bleve's disjunction it applies no coordination factor: a
// document's score does not shrink with the number of fields it misses,
// which the per-field weights already account for. A filter, if any,
// restricts the documents without scoring.
type sumQuery struct {
	parts   []query.Query
	weights []float64
	filter  query.Query
}

// Searcher implements query.Query.
func (q *sumQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, opts search.SearcherOptions) (search.Searcher, error) {
	s := &sumSearcher{weights: q.weights}
	for _, p := range q.parts {
		ps, err := p.Searcher(ctx, r, m, opts)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("field query: %w", err)
		}
		s.parts = append(s.parts, ps)
	}
	if q.filter != nil {
		fs, err := q.filter.Searcher(ctx, r, m, search.SearcherOptions{Score: "none"})
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("filter query: %w", err)
		}
		s.filter = fs
	}
	s.curr = make([]*search.DocumentMatch, len(s.parts))
	return s, nil
}

// sumSearcher merges its parts' matches by document ID (they come in ID
// order) and sums their weighted scores.
type sumSearcher struct {
	parts   []search.Searcher
	weights []float64
	filter  search.Searcher
	curr    []*search.DocumentMatch // each part's next match; nil when done
	started bool
	min     index.IndexInternalID // scratch for the smallest current ID
}

func (s *sumSearcher) start(ctx *search.SearchContext, target index.IndexInternalID) error {
	s.started = true
	for i, p := range s.parts {
		var dm *search.DocumentMatch
		var err error
		if target == nil {
			dm, err = p.Next(ctx)
		} else {
			dm, err = p.Advance(ctx, target)
		}
		if err != nil {
			return err
		}
		s.curr[i] = dm
	}
	return nil
}

// Next implements search.Searcher.
func (s *sumSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !s.started {
		if err := s.start(ctx, nil); err != nil {
			return nil, err
		}
	}
	for {
		var min index.IndexInternalID
		for _, c := range s.curr {
			if c != nil && (min == nil || c.IndexInternalID.Compare(min) < 0) {
				min = c.IndexInternalID
			}
		}
		if min == nil {
			return nil, nil
		}
		// The matches holding min go back to the pool below: copy it.
		s.min = append(s.min[:0], min...)
		min = s.min
		if s.filter != nil {
			f, err := s.filter.Advance(ctx, min)
			if err != nil {
				return nil, err
			}
			if f == nil {
				return nil, nil
			}
			if !f.IndexInternalID.Equals(min) {
				// No part matches before the filter's next document.
				s.min = append(s.min[:0], f.IndexInternalID...)
				ctx.DocumentMatchPool.Put(f)
				if err := s.advanceParts(ctx, s.min); err != nil {
					return nil, err
				}
				continue
			}
			ctx.DocumentMatchPool.Put(f)
		}
		var rv *search.DocumentMatch
		var score float64
		for i, c := range s.curr {
			if c == nil || !c.IndexInternalID.Equals(min) {
				continue
			}
			score += s.weights[i] * c.Score
			if rv == nil {
				rv = c
				if rv.ScoreBreakdown == nil {
					rv.ScoreBreakdown = make(map[int]float64, len(s.parts))
				}
			}
			rv.ScoreBreakdown[i] = c.Score
			if c != rv {
				ctx.DocumentMatchPool.Put(c)
			}
			next, err := s.parts[i].Next(ctx)
			if err != nil {
				return nil, err
			}
			s.curr[i] = next
		}
		rv.Score = score
		rv.Expl = nil
		return rv, nil
	}
}

// advanceParts moves every part that is behind target to its first match
// at or after target.
func (s *sumSearcher) advanceParts(ctx *search.SearchContext, target index.IndexInternalID) error {
	for i, c := range s.curr {
		if c == nil || c.IndexInternalID.Compare(target) >= 0 {
			continue
		}
		ctx.DocumentMatchPool.Put(c)
		next, err := s.parts[i].Advance(ctx, target)
		if err != nil {
			return err
		}
		s.curr[i] = next
	}
	return nil
}

// Advance implements search.Searcher.
func (s *sumSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	if !s.started {
		if err := s.start(ctx, id); err != nil {
			return nil, err
		}
	} else {
		s.min = append(s.min[:0], id...)
		if err := s.advanceParts(ctx, s.min); err != nil {
			return nil, err
		}
	}
	return s.Next(ctx)
}

// Close implements search.Searcher.
func (s *sumSearcher) Close() error {
	var first error
	for _, p := range s.parts {
		if err := p.Close(); err != nil && first == nil {
			first = err
		}
	}
	if s.filter != nil {
		if err := s.filter.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Weight implements search.Searcher.
func (s *sumSearcher) Weight() float64 {
	var w float64
	for i, p := range s.parts {
		w += s.weights[i] * p.Weight()
	}
	return w
}

// SetQueryNorm implements search.Searcher. The parts keep their own
// scores, as they would in separate searches.
func (s *sumSearcher) SetQueryNorm(float64) {}

// Count implements search.Searcher: an upper bound.
func (s *sumSearcher) Count() uint64 {
	var n uint64
	for _, p := range s.parts {
		n += p.Count()
	}
	return n
}

// Min implements search.Searcher.
func (s *sumSearcher) Min() int { return 0 }

// Size implements search.Searcher.
func (s *sumSearcher) Size() int {
	n := 64 + 8*len(s.weights) + len(s.min)
	for _, p := range s.parts {
		n += p.Size()
	}
	if s.filter != nil {
		n += s.filter.Size()
	}
	return n
}

// DocumentMatchPoolSize implements search.Searcher.
func (s *sumSearcher) DocumentMatchPoolSize() int {
	n := len(s.parts) + 1
	for _, p := range s.parts {
		n += p.DocumentMatchPoolSize()
	}
	if s.filter != nil {
		n += s.filter.DocumentMatchPoolSize()
	}
	return n
}
