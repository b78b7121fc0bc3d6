package main

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kobanhq/koban"
)

// keyProblem is a key of koban.yaml that Config does not declare.
type keyProblem struct {
	Key     string // dotted path, such as slack.chanels
	Line    int
	Closest string // the nearest known key at that place, or ""
}

func (p keyProblem) String() string {
	s := fmt.Sprintf("line %d: unknown key %s", p.Line, p.Key)
	if p.Closest != "" {
		s += fmt.Sprintf(" (did you mean %s?)", p.Closest)
	}
	return s
}

// decodeConfigYAML decodes a koban.yaml into cfg strictly: a YAML syntax
// error names the line it is on, and a plain 0 is accepted for a duration.
// Unknown keys (each with its line and the closest known key) come back as
// unknown: the rest of the file is still decoded, so that koban doctor can
// go on checking, but loadConfig fails on them.
func decodeConfigYAML(data []byte, cfg *Config) (unknown error, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(data, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil // an empty file: defaults
	}
	w := configWalker{}
	w.walk(doc.Content[0], reflect.TypeOf(cfg).Elem(), "")
	if len(w.errs) > 0 {
		return nil, errors.Join(w.errs...)
	}
	if err := doc.Decode(cfg); err != nil {
		return nil, err
	}
	var errs []error
	for _, p := range w.unknown {
		errs = append(errs, errors.New(p.String()))
	}
	return errors.Join(errs...), nil
}

var (
	durationType  = reflect.TypeOf(time.Duration(0))
	textUnmarshal = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	yamlUnmarshal = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
)

// configWalker follows the YAML tree along Config's types.
type configWalker struct {
	unknown []keyProblem
	errs    []error
}

func (w *configWalker) walk(n *yaml.Node, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	pt := reflect.PointerTo(t)
	if pt.Implements(yamlUnmarshal) {
		return // the type reads itself
	}
	switch {
	case t == durationType:
		w.duration(n, path)
		return
	case pt.Implements(textUnmarshal) && n.Kind == yaml.ScalarNode:
		if n.Tag == "!!int" || n.Tag == "!!float" {
			n.Tag = "!!str" // "0" days of retention, say
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // yaml.v3 reports the type mismatch with its line
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" {
				w.walk(v, t, path)
				continue
			}
			ft, ok := fields[k.Value]
			if !ok {
				w.unknown = append(w.unknown, keyProblem{Key: path + k.Value, Line: k.Line, Closest: closestKey(k.Value, fields, path)})
				continue
			}
			w.walk(v, ft, path+k.Value+".")
		}
	case reflect.Slice, reflect.Array:
		if n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				w.walk(c, t.Elem(), path)
			}
		}
	case reflect.Map:
		if n.Kind == yaml.MappingNode {
			for i := 1; i < len(n.Content); i += 2 {
				w.walk(n.Content[i], t.Elem(), path+n.Content[i-1].Value+".")
			}
		}
	}
}

// duration accepts a plain 0 where a duration goes (the README documents
// "0" as off) and says what to write for any other bare number.
func (w *configWalker) duration(n *yaml.Node, path string) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" && n.Tag != "!!float" {
		return
	}
	key := strings.TrimSuffix(path, ".")
	if f, err := strconv.ParseFloat(n.Value, 64); err == nil && f == 0 {
		n.Tag, n.Value = "!!str", "0s"
		return
	}
	w.errs = append(w.errs, fmt.Errorf("line %d: %s: %s has no unit: write 0 (off) or a duration such as 30s, 5m or 168h", n.Line, key, n.Value))
}

// yamlFields maps the yaml keys of a struct type to their field types,
// following inline fields.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if strings.Contains(opts, "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range yamlFields(ft) {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

// closestKey is the known key nearest to key by edit distance, if it is
// near enough to be a likely misspelling.
func closestKey(key string, fields map[string]reflect.Type, path string) string {
	best, bestD := "", 0
	for k := range fields {
		d := editDistance(key, k)
		if best == "" || d < bestD || d == bestD && k < best {
			best, bestD = k, d
		}
	}
	if best == "" || bestD > max(2, len(key)/3) {
		return ""
	}
	return path + best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// syntaxError rewrites a YAML syntax error to name the line the mistake is
// on: yaml.v3 names the line where the enclosing block began for some
// errors ("did not find expected key"). The mistake is on the first line
// from which on the file, cut at any later line, fails with the same
// complaint.
func syntaxError(data []byte, err error) error {
	msg := yamlComplaint(err)
	lines := bytes.SplitAfter(bytes.TrimRight(data, "\n"), []byte("\n"))
	at := 0
	for n := len(lines); n >= 1; n-- {
		var v yaml.Node
		perr := yaml.Unmarshal(bytes.Join(lines[:n], nil), &v)
		if perr == nil || yamlComplaint(perr) != msg {
			break
		}
		at = n
	}
	if at == 0 {
		return err
	}
	return fmt.Errorf("line %d: %s (at %q)", at, msg, strings.TrimSpace(string(lines[at-1])))
}

// yamlComplaint is a yaml.v3 error without its "yaml: line N: " prefix.
func yamlComplaint(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if _, after, ok := strings.Cut(rest, ": "); ok {
			return after
		}
	}
	return msg
}

// channelIDErrors checks the Slack channels the configuration names: koban
// needs IDs (C…, G…), which stay right when a channel is renamed; a
// "#channel-name" is refused with what to write instead.
func channelIDErrors(c *Config) []error {
	var errs []error
	check := func(where, id string) {
		switch {
		case id == "" || validSlackID(id, "CG"):
		case strings.HasPrefix(id, "#") || !validSlackID(strings.ToUpper(id), "CG"):
			errs = append(errs, fmt.Errorf("%s: %q is a channel name, not its ID: give the channel ID (C…), shown at the bottom of the channel's details in Slack (click its name)", where, id))
		default:
			errs = append(errs, fmt.Errorf("%s: %q is not a Slack channel ID (C… in capitals)", where, id))
		}
	}
	for _, ch := range c.Slack.Channels {
		check("slack.channels", ch.ID)
	}
	check("report.channel (KOBAN_REPORT_CHANNEL)", c.Report.Channel)
	return errs
}

// indexFolderArg applies koban index's optional folder argument: the one
// folder of Markdown docs to index instead of the configured sources (as
// KOBAN_DOCS=FOLDER would). Anything more is refused.
func indexFolderArg(a *app, args []string, list bool) error {
	switch {
	case len(args) == 0:
		return nil
	case len(args) > 1:
		return koban.Errorf(koban.EInvalid, "index: takes at most one folder, got %d arguments %q (flags go before the folder)", len(args), args)
	case list:
		return koban.Errorf(koban.EInvalid, "index: --list takes no folder: it lists what is indexed")
	}
	fi, err := os.Stat(args[0])
	if err != nil {
		return koban.Errorf(koban.EInvalid, "index: %v", err)
	}
	if !fi.IsDir() {
		return koban.Errorf(koban.EInvalid, "index: %s is not a folder", args[0])
	}
	a.cfg.Docs = DocSources{{Path: args[0]}}
	return nil
}
