package deploy

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/kobanhq/koban/metrics"
)

// composeFile is the part of the Compose specification
// (https://compose-spec.io) deploy/compose.yaml uses. Decoding with known
// fields only makes a misspelt key fail.
type composeFile struct {
	Name     string                    `yaml:"name"`
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]struct{}       `yaml:"volumes"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Build       *composeBuild     `yaml:"build"`
	Command     []string          `yaml:"command"`
	Restart     string            `yaml:"restart"`
	EnvFile     string            `yaml:"env_file"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck *struct {
		Test        []string `yaml:"test"`
		Interval    string   `yaml:"interval"`
		Timeout     string   `yaml:"timeout"`
		Retries     int      `yaml:"retries"`
		StartPeriod string   `yaml:"start_period"`
	} `yaml:"healthcheck"`
}

type composeBuild struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

func parseCompose(data []byte) (composeFile, error) {
	var c composeFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(&c)
	return c, err
}

// interpolate applies Compose's ${VAR:-default} with the defaults, as
// `docker compose config` does with nothing set.
var composeVar = regexp.MustCompile(`\$\{([A-Z_]+)(?::-([^}]*))?\}`)

func interpolate(s string) string { return composeVar.ReplaceAllString(s, "$2") }

// TestCompose parses deploy/compose.yaml and checks that it runs koban on
// PostgreSQL's official image with health checks, a volume for each, the
// Slack settings from an env file, and koban migrate before serve.
func TestCompose(t *testing.T) {
	data, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseCompose(data)
	if err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	pg, ok := c.Services["postgres"]
	if !ok || !regexp.MustCompile(`^postgres:\d+`).MatchString(pg.Image) {
		t.Fatalf("compose.yaml: want a postgres service on the official image postgres:N, got %+v", pg)
	}
	kb, ok := c.Services["koban"]
	if !ok {
		t.Fatal("compose.yaml: no koban service")
	}
	mg, ok := c.Services["migrate"]
	if !ok {
		t.Fatal("compose.yaml: no migrate service")
	}

	for name, s := range map[string]composeService{"postgres": pg, "koban": kb} {
		if s.Healthcheck == nil || len(s.Healthcheck.Test) < 2 {
			t.Errorf("compose.yaml: %s has no health check", name)
		}
		var named bool
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if _, ok := c.Volumes[src]; ok {
				named = true
			}
		}
		if !named {
			t.Errorf("compose.yaml: %s keeps its data on no named volume (volumes %v, declared %v)", name, s.Volumes, c.Volumes)
		}
	}
	for _, s := range c.Services {
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(interpolate(v), ":")
			if strings.HasPrefix(src, ".") {
				if _, err := os.Stat(src); err != nil {
					t.Errorf("compose.yaml mounts %s: %v", src, err)
				}
			} else if _, ok := c.Volumes[src]; !ok {
				t.Errorf("compose.yaml mounts volume %s, which is not declared", src)
			}
		}
	}
	if kb.Healthcheck != nil && !slices.Equal(kb.Healthcheck.Test, []string{"CMD", "/koban", "healthcheck"}) {
		t.Errorf("koban health check %v: the distroless image has only /koban to run", kb.Healthcheck.Test)
	}

	// migrate runs once the database is healthy; serve once it succeeded.
	if got := mg.DependsOn["postgres"].Condition; got != "service_healthy" {
		t.Errorf("migrate waits for postgres with condition %q, want service_healthy", got)
	}
	if got := kb.DependsOn["migrate"].Condition; got != "service_completed_successfully" {
		t.Errorf("koban waits for migrate with condition %q, want service_completed_successfully", got)
	}
	if !slices.Equal(mg.Command, []string{"migrate"}) || !slices.Equal(kb.Command, []string{"serve"}) {
		t.Errorf("commands: migrate %v, koban %v; want [migrate] and [serve]", mg.Command, kb.Command)
	}

	// Both reach the database the postgres service creates.
	wantURL := "postgres://" + pg.Environment["POSTGRES_USER"] + ":" + interpolate(pg.Environment["POSTGRES_PASSWORD"]) +
		"@postgres:5432/" + pg.Environment["POSTGRES_DB"]
	for name, s := range map[string]composeService{"migrate": mg, "koban": kb} {
		if u := interpolate(s.Environment["KOBAN_DATABASE_URL"]); !strings.HasPrefix(u, wantURL+"?") && u != wantURL {
			t.Errorf("%s: KOBAN_DATABASE_URL %q, want the postgres service's database %q", name, u, wantURL)
		}
		if s.Build == nil || s.Image != mg.Image {
			t.Errorf("%s: build %+v image %q; want both koban services built as one image", name, s.Build, s.Image)
			continue
		}
		if _, err := os.Stat(filepath.Join(s.Build.Context, s.Build.Dockerfile)); err != nil {
			t.Errorf("%s: Dockerfile: %v", name, err)
		}
		if _, err := os.Stat(filepath.Join(s.Build.Context, "go.mod")); err != nil {
			t.Errorf("%s: the build context %s is not the repository root: %v", name, s.Build.Context, err)
		}
	}

	// Slack settings come from the env file, whose example names them.
	if kb.EnvFile == "" {
		t.Fatal("koban takes no env file")
	}
	example, err := os.ReadFile(kb.EnvFile + ".example")
	if err != nil {
		t.Fatalf("no example for the env file %s: %v", kb.EnvFile, err)
	}
	for _, k := range []string{"SLACK_BOT_TOKEN=", "SLACK_APP_TOKEN=", "KOBAN_WEB_TOKEN="} {
		if !bytes.Contains(example, []byte("\n"+k)) {
			t.Errorf("%s.example does not set %s", kb.EnvFile, k)
		}
		if _, ok := kb.Environment[strings.TrimSuffix(k, "=")]; ok {
			t.Errorf("koban's environment sets %s, which would override the env file", k)
		}
	}
}

func TestComposeRejectsTypos(t *testing.T) {
	for _, doc := range []string{
		"services:\n  koban:\n    imgae: koban\n",
		"services:\n  koban:\n    depends_on:\n      migrate: {condtion: service_healthy}\n",
		"servces: {}\n",
	} {
		if _, err := parseCompose([]byte(doc)); err == nil {
			t.Errorf("parseCompose(%q): no error", doc)
		}
	}
}

// TestDockerfile checks that the image is built from the repository alone
// with a Go at least as new as go.mod asks, and carries the Japanese font
// where the report charts look for it.
func TestDockerfile(t *testing.T) {
	df, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join("..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVer := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	from := regexp.MustCompile(`(?m)^FROM golang:(\d+\.\d+)`).FindSubmatch(df)
	if goVer == nil || from == nil || string(from[1]) != string(goVer[1]) {
		t.Errorf("Dockerfile builds with golang:%s, go.mod asks for go %s", from, goVer)
	}
	copyFont := regexp.MustCompile(`(?m)^COPY --from=build \S+\.ttf (\S+)$`).FindSubmatch(df)
	if copyFont == nil || !slices.Contains(metrics.FontPaths(), string(copyFont[1])) {
		t.Errorf("Dockerfile copies no Japanese font to where the charts look (%v): %q", metrics.FontPaths(), copyFont)
	}
	for _, line := range strings.Split(string(df), "\n") {
		// Building from the repository alone: nothing fetched but Go
		// modules and Debian packages, no files from outside the context.
		if strings.HasPrefix(line, "ADD ") || strings.Contains(line, "curl ") || strings.Contains(line, "wget ") {
			t.Errorf("Dockerfile fetches from outside the repository: %s", line)
		}
	}
}
