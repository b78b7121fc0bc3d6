package docsindex

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// readMkDocs reads the MkDocs configuration cfg (mkdocs.yml in dir) for
// the source folder root: docs_dir, site_url, use_directory_urls and nav.
// The source is either the docs_dir itself or the project folder holding
// mkdocs.yml beside docs/ (the Backstage TechDocs layout). It returns nil
// when the configuration is unusable or is not about root.
//
// mkdocs.yml is read as a YAML tree rather than decoded whole: real ones
// carry Python tags (!!python/name:…) for Markdown extensions and !ENV
// for settings, which only MkDocs can resolve, in keys koban does not need.
func readMkDocs(cfg, dir, root string) (*site, []Warning) {
	warn := func(format string, args ...any) []Warning {
		return []Warning{{Path: cfg, Reason: fmt.Sprintf(format, args...)}}
	}
	data, err := readConfigFile(cfg)
	if err != nil {
		return nil, warn("unreadable MkDocs configuration: %v", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, warn("MkDocs configuration is not YAML (%s): nav titles and site URLs ignored", firstLine(err.Error()))
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, warn("MkDocs configuration is not a mapping: nav titles and site URLs ignored")
	}
	top := map[string]*yaml.Node{}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		top[m.Content[i].Value] = m.Content[i+1]
	}
	var warns []Warning
	if n := top["INHERIT"]; n != nil {
		warns = append(warns, Warning{Path: cfg, Reason: fmt.Sprintf("INHERIT: %s is not followed: only the settings in this file are read", n.Value)})
	}
	docsDir := "docs"
	if n := top["docs_dir"]; n != nil && scalar(n) != "" {
		docsDir = scalar(n)
	}
	docsAbs := filepath.Clean(filepath.Join(dir, docsDir))
	if filepath.IsAbs(docsDir) {
		docsAbs = filepath.Clean(docsDir)
	}
	s := &site{kind: "mkdocs", style: LinkDirectory, nav: map[string]navEntry{}}
	switch rel, err := filepath.Rel(realPath(root), realPath(docsAbs)); {
	case err == nil && rel == ".":
	case err == nil && !strings.HasPrefix(rel, "..") && !filepath.IsAbs(rel):
		if fi, err := os.Stat(docsAbs); err != nil || !fi.IsDir() {
			return nil, append(warns, Warning{Path: cfg, Reason: fmt.Sprintf("docs_dir %s is not a folder: read as plain Markdown", docsDir)})
		}
		s.prefix = filepath.ToSlash(rel) + "/"
	default:
		// mkdocs.yml of another folder (a parent project whose docs_dir
		// is elsewhere): not this source's site.
		return nil, nil
	}
	s.baseURL = scalar(top["site_url"])
	if n := top["use_directory_urls"]; n != nil {
		var b bool
		if err := n.Decode(&b); err != nil {
			warns = append(warns, Warning{Path: cfg, Reason: fmt.Sprintf("use_directory_urls is not true or false (line %d): taken as true", n.Line)})
		} else if !b {
			s.style = LinkHTML
		}
	}
	if n := top["nav"]; n != nil {
		warns = append(warns, walkNav(cfg, n, nil, s.nav)...)
		for p := range s.nav {
			if fi, err := os.Stat(filepath.Join(docsAbs, filepath.FromSlash(p))); err != nil || fi.IsDir() {
				warns = append(warns, Warning{Path: cfg, Reason: fmt.Sprintf("nav names %s, which is not a file in %s", p, docsDir)})
			}
		}
	}
	return s, warns
}

// walkNav records the pages of a MkDocs nav list under the sections above
// it. Entries are "file.md", {Title: file.md}, {Title: [entries]} (a
// section) or {Title: https://…} (a link, skipped).
func walkNav(cfg string, n *yaml.Node, sections []string, out map[string]navEntry) []Warning {
	var warns []Warning
	if n.Kind != yaml.SequenceNode {
		return []Warning{{Path: cfg, Reason: fmt.Sprintf("nav (line %d) is not a list: ignored", n.Line)}}
	}
	add := func(title string, v *yaml.Node) {
		switch {
		case v.Kind == yaml.ScalarNode && strings.HasPrefix(v.Tag, "!") && !strings.HasPrefix(v.Tag, "!!"):
			warns = append(warns, Warning{Path: cfg, Reason: fmt.Sprintf("nav entry %q (line %d) uses %s, which koban does not follow", title, v.Line, v.Tag)})
		case v.Kind == yaml.ScalarNode:
			p := v.Value
			if strings.Contains(p, "://") || strings.HasPrefix(p, "/") || !markdownExt[strings.ToLower(path.Ext(p))] {
				return // an external link, or a folder plugins expand
			}
			p = strings.TrimPrefix(path.Clean(p), "./")
			out[p] = navEntry{title: title, sections: sections}
		case v.Kind == yaml.SequenceNode:
			warns = append(warns, walkNav(cfg, v, append(cloneSections(sections), title), out)...)
		default:
			warns = append(warns, Warning{Path: cfg, Reason: fmt.Sprintf("nav entry %q (line %d) is neither a page nor a section: ignored", title, v.Line)})
		}
	}
	for _, item := range n.Content {
		switch item.Kind {
		case yaml.ScalarNode:
			add("", item)
		case yaml.MappingNode:
			for i := 0; i+1 < len(item.Content); i += 2 {
				add(item.Content[i].Value, item.Content[i+1])
			}
		default:
			warns = append(warns, Warning{Path: cfg, Reason: fmt.Sprintf("nav entry on line %d is neither a page nor a section: ignored", item.Line)})
		}
	}
	return warns
}

// cloneSections copies a section path, so that siblings do not share it.
func cloneSections(s []string) []string { return append([]string(nil), s...) }

// scalar is a YAML scalar's value; for MkDocs' !ENV [VAR, default] the
// default, since koban cannot know the environment mkdocs builds in.
func scalar(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	switch {
	case n.Tag == "!ENV" && n.Kind == yaml.SequenceNode && len(n.Content) > 0:
		return scalar(n.Content[len(n.Content)-1])
	case n.Tag == "!ENV":
		return ""
	case n.Kind == yaml.ScalarNode:
		return strings.TrimSpace(n.Value)
	}
	return ""
}

// realPath resolves symbolic links, so that a docs folder published
// through one (git-sync) compares equal to the folder mkdocs.yml names.
func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}
