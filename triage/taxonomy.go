package triage

import (
	_ "embed"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/kobanhq/koban"
)

// taxonomyYAML is the default taxonomy and the generic examples a new
// team's triage starts from (see the file's comments).
//
//go:embed taxonomy.yaml
var taxonomyYAML []byte

// taxonomy is the content of taxonomy.yaml.
type taxonomy struct {
	Domains    []DomainConfig              `yaml:"domains"`
	Categories map[koban.Category][]string `yaml:"categories"`
}

// builtin is the parsed taxonomy.yaml. It is part of the binary, so a parse
// error is a programming error, caught by the package tests.
var builtin = func() taxonomy {
	t, err := parseTaxonomy(taxonomyYAML)
	if err != nil {
		panic(err)
	}
	return t
}()

func parseTaxonomy(b []byte) (taxonomy, error) {
	var t taxonomy
	if err := yaml.Unmarshal(b, &t); err != nil {
		return taxonomy{}, fmt.Errorf("triage taxonomy: %w", err)
	}
	for c := range t.Categories {
		if !c.Valid() {
			return taxonomy{}, fmt.Errorf("triage taxonomy: unknown category %q", c)
		}
	}
	if len(t.Domains) == 0 {
		return taxonomy{}, fmt.Errorf("triage taxonomy: no domains")
	}
	return t, nil
}

// defaultDomains is the default taxonomy, in koban.DefaultDomains order.
func defaultDomains() []DomainConfig {
	out := make([]DomainConfig, len(builtin.Domains))
	copy(out, builtin.Domains)
	return out
}
