package docsindex

import (
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

func str(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case nil:
		return ""
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

func flatten(v any) string {
	switch v := v.(type) {
	case []any:
		var parts []string
		for _, x := range v {
			parts = append(parts, flatten(x))
		}
		return strings.Join(parts, " ")
	case map[string]any:
		return ""
	}
	return str(v)
}

func isTrue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(strings.TrimSpace(v), "true")
	}
	return false
}

// splitFrontMatter separates YAML (---) or TOML (+++) front matter from the
// body. It is a plain split rather than a Markdown extension so that a page
// with broken front matter can be reported by name and skipped while the
// body parser stays a simple line scanner.
func splitFrontMatter(text string) (map[string]any, string, error) {
	var delim string
	switch {
	case strings.HasPrefix(text, "---\n"), strings.HasPrefix(text, "--- \n"):
		delim = "---"
	case strings.HasPrefix(text, "+++\n"):
		delim = "+++"
	default:
		return map[string]any{}, text, nil
	}
	_, rest, _ := strings.Cut(text, "\n")
	var fmText, body string
	found := false
	for off := 0; off <= len(rest); {
		end := strings.IndexByte(rest[off:], '\n')
		line := rest[off:]
		next := len(rest) + 1
		if end >= 0 {
			line = rest[off : off+end]
			next = off + end + 1
		}
		t := strings.TrimRight(line, " \t")
		if t == delim || (delim == "---" && t == "...") {
			fmText = rest[:off]
			if next <= len(rest) {
				body = rest[next:]
			}
			found = true
			break
		}
		off = next
	}
	if !found {
		return nil, "", fmt.Errorf("broken front matter: no closing %s", delim)
	}
	fm := map[string]any{}
	var err error
	if delim == "+++" {
		_, err = toml.Decode(fmText, &fm)
	} else {
		err = yaml.Unmarshal([]byte(fmText), &fm)
	}
	if err != nil {
		return nil, "", fmt.Errorf("broken front matter: %s", firstLine(err.Error()))
	}
	if fm == nil {
		fm = map[string]any{}
	}
	return fm, body, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
