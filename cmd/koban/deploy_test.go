package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDeployConfigs loads the koban.yaml the Kubernetes manifest ships in
// its ConfigMap, and the example koban.yaml, with koban's own configuration
// loader, and checks that every koban container there runs a koban command.
// (package deploy decodes the manifests into the Kubernetes types.)
func TestDeployConfigs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "deploy", "kubernetes", "koban.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range commands() {
		names[c.name] = true
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var configs, containers int
	for {
		var doc struct {
			Kind string            `yaml:"kind"`
			Data map[string]string `yaml:"data"`
			Spec struct {
				Template struct {
					Spec struct {
						InitContainers []manifestContainer `yaml:"initContainers"`
						Containers     []manifestContainer `yaml:"containers"`
					} `yaml:"spec"`
				} `yaml:"template"`
			} `yaml:"spec"`
		}
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if doc.Kind == "ConfigMap" {
			for key, text := range doc.Data {
				if !strings.HasSuffix(key, ".yaml") {
					continue
				}
				configs++
				p := filepath.Join(t.TempDir(), key)
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				if _, err := loadConfig(p, func(string) string { return "" }); err != nil {
					t.Errorf("ConfigMap %s: %v", key, err)
				}
			}
		}
		for _, c := range append(doc.Spec.Template.Spec.InitContainers, doc.Spec.Template.Spec.Containers...) {
			if !strings.Contains(c.Image, "koban") {
				continue
			}
			containers++
			cmd := firstCommand(c.Args)
			if !names[cmd] {
				t.Errorf("container %s runs koban %v: %q is no koban command", c.Name, c.Args, cmd)
			}
		}
	}
	if configs == 0 || containers < 2 {
		t.Errorf("found %d koban.yaml configs and %d koban containers in the manifest, want at least 1 and 2", configs, containers)
	}
	if _, err := loadConfig(filepath.Join("..", "..", "deploy", "koban.example.yaml"), func(string) string { return "" }); err != nil {
		t.Errorf("deploy/koban.example.yaml: %v", err)
	}
}

type manifestContainer struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
}

// firstCommand is the command in koban's arguments, after --config FILE.
func firstCommand(args []string) string {
	for i := 0; i < len(args); i++ {
		if args[i] == "--config" || args[i] == "-config" {
			i++
			continue
		}
		return args[i]
	}
	return ""
}
