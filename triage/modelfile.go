package triage

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/kobanhq/koban"
)

// A model file holds the category model's weights, by category and feature
// name, as JSON. SaveModel writes the model fitted to the labels learnt so
// far; with triage.model_file a new installation starts from such a model
// (another team's, or its own before a move) instead of the built-in
// priors, and its own labels pull it on from there.
type modelFile struct {
	Version int                                   `json:"version"`
	Weights map[koban.Category]map[string]float64 `json:"weights"`
}

// modelFileVersion changes when features change meaning.
const modelFileVersion = 1

// SaveModel writes the model, fitted to every label learnt so far, to w.
func (s *Service) SaveModel(w io.Writer) error {
	s.mu.Lock()
	s.refit(true)
	m := s.model
	s.mu.Unlock()
	return encodeModel(w, m)
}

// encodeModel writes m as a model file.
func encodeModel(w io.Writer, m model) error {
	f := modelFile{Version: modelFileVersion, Weights: make(map[koban.Category]map[string]float64)}
	for k, c := range koban.Categories {
		f.Weights[c] = make(map[string]float64)
		for i, name := range featureNames {
			f.Weights[c][name] = m[k][i]
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

// loadModel reads a model file. Features it does not name keep their
// built-in prior; a file of another version, or one that is not a model
// file, is an error.
func loadModel(name string) (model, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return model{}, err
	}
	return decodeModel(name, b)
}

// decodeModel reads the model file b, named name in errors.
func decodeModel(name string, b []byte) (model, error) {
	var f modelFile
	if err := json.Unmarshal(b, &f); err != nil {
		return model{}, fmt.Errorf("%s: not a triage model file: %w", name, err)
	}
	if f.Version != modelFileVersion {
		return model{}, fmt.Errorf("%s: model file version %d, want %d", name, f.Version, modelFileVersion)
	}
	index := make(map[string]int, len(featureNames))
	for i, n := range featureNames {
		index[n] = i
	}
	m := priorWeights
	set := 0
	for c, ws := range f.Weights {
		if !c.Valid() {
			return model{}, fmt.Errorf("%s: unknown category %q", name, c)
		}
		for n, w := range ws {
			if i, ok := index[n]; ok {
				m[classIndex(c)][i] = w
				set++
			}
		}
	}
	if set == 0 {
		return model{}, fmt.Errorf("%s: no weights of known features", name)
	}
	return m, nil
}
