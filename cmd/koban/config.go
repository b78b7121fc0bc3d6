package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	docsindex "github.com/kobanhq/koban/docs-index"
	"github.com/kobanhq/koban/internal/i18n"
	"github.com/kobanhq/koban/oncall"
	"github.com/kobanhq/koban/triage"
)

// Config is koban's whole configuration: koban.yaml, then KOBAN_* and SLACK_*
// environment variables on top. Every setting has a default, so an empty
// configuration runs koban on embedded SQLite with the sample docs.
type Config struct {
	// DataDir holds the embedded database and the docs index.
	DataDir string `yaml:"data_dir" env:"KOBAN_DATA_DIR"`
	// DatabaseURL selects the store: empty for embedded SQLite in DataDir,
	// postgres://… for PostgreSQL.
	DatabaseURL string `yaml:"database_url" env:"KOBAN_DATABASE_URL"`
	// HTTPAddr is where the web UI, Slack endpoints, health checks and metrics listen.
	HTTPAddr string `yaml:"http_addr" env:"KOBAN_HTTP_ADDR"`
	// Docs lists the doc sources. KOBAN_DOCS gives folders, comma-separated;
	// each may be written PATH[@LANG][=BASE_URL]. Empty: the shipped sample docs.
	Docs DocSources `yaml:"docs" env:"KOBAN_DOCS"`
	// DocsRefresh is how often serve re-reads the doc sources and indexes
	// what changed; 0 indexes them at start only.
	DocsRefresh time.Duration `yaml:"docs_refresh" env:"KOBAN_DOCS_REFRESH"`
	// DocsWebhookSecret, when set, enables POST /hooks/docs: a GitHub or
	// GitLab push webhook signed with it pulls the git sources at once.
	DocsWebhookSecret string `yaml:"docs_webhook_secret" env:"KOBAN_DOCS_WEBHOOK_SECRET"`
	// TimeZone is the IANA zone reports and schedules are computed in.
	TimeZone string `yaml:"time_zone" env:"KOBAN_TIME_ZONE"`
	// Language is the team's language, "en" or "ja": of the monthly
	// report, handoffs, reminders and notices to the on-call, and of what
	// koban tells a person alone when Slack does not know their locale.
	Language string `yaml:"language" env:"KOBAN_LANGUAGE"`
	// LogFormat is "text" or "json"; LogLevel "debug", "info", "warn" or "error".
	LogFormat string `yaml:"log_format" env:"KOBAN_LOG_FORMAT"`
	LogLevel  string `yaml:"log_level" env:"KOBAN_LOG_LEVEL"`
	// AutoCloseAfter resolves answered inquiries nobody came back to after
	// this long; 0 disables it.
	AutoCloseAfter time.Duration `yaml:"auto_close_after" env:"KOBAN_AUTO_CLOSE_AFTER"`
	// MemoryLimitMB is the Go heap's soft limit in MiB: the garbage
	// collector works harder as the heap nears it, which keeps indexing a
	// large corpus from doubling its live memory. It is soft: a heap that
	// needs more gets more. 0 turns it off; GOMEMLIMIT, if set, wins.
	MemoryLimitMB int `yaml:"memory_limit_mb" env:"KOBAN_MEMORY_LIMIT_MB"`
	// AllowedLinkDomains are domains (with their subdomains) whose links
	// stay live in koban's Slack messages, besides the docs' base URLs and
	// Slack permalinks; any other URL from the docs or an LLM is shown as
	// inert text. KOBAN_ALLOWED_LINK_DOMAINS is comma-separated.
	AllowedLinkDomains []string `yaml:"allowed_link_domains" env:"KOBAN_ALLOWED_LINK_DOMAINS"`
	// Retention is how long inquiry text and Slack references are kept
	// ("400d", "8760h"); older resolved inquiries keep only what reports
	// count. 0 keeps everything.
	Retention Retention `yaml:"retention" env:"KOBAN_RETENTION"`

	Knowledge KnowledgeConfig `yaml:"knowledge" envPrefix:"KOBAN_"`
	LLM       LLMConfig       `yaml:"llm" envPrefix:"KOBAN_LLM_"`
	Slack     SlackConfig     `yaml:"slack"`
	Web       WebConfig       `yaml:"web" envPrefix:"KOBAN_WEB_"`
	Report    ReportConfig    `yaml:"report" envPrefix:"KOBAN_REPORT_"`
	Triage    triage.Config   `yaml:"triage"`
	OnCall    oncall.Config   `yaml:"oncall"`
}

// DocSource is one folder of Markdown docs.
type DocSource struct {
	Path    string `yaml:"path"`
	Lang    string `yaml:"lang"`     // "en", "ja", or "" to detect per page
	BaseURL string `yaml:"base_url"` // links are BaseURL + page path + #anchor
	// LinkStyle is how the site serves a page where its generator's
	// configuration (mkdocs.yml, docusaurus.config.js) does not say:
	// directory (/path/, the default), html (/path.html), source
	// (/path.md) or plain (/path).
	LinkStyle string `yaml:"link_style"`
	// Git, when set, makes this a git source: koban clones the repository
	// into the data folder and pulls Ref (default: its default branch)
	// every docs_refresh; Path is then the docs folder within it.
	Git string `yaml:"git"`
	Ref string `yaml:"ref"`
	// TokenEnv names the environment variable holding an access token for
	// a private repository over HTTPS; Username goes with it (default git).
	TokenEnv string `yaml:"token_env"`
	Username string `yaml:"username"`
	token    string // the value of TokenEnv, read with the rest of the environment
}

// DocSources parses KOBAN_DOCS.
type DocSources []DocSource

// UnmarshalText parses "PATH[@LANG][=BASE_URL],…".
func (d *DocSources) UnmarshalText(b []byte) error {
	*d = nil
	for _, part := range strings.Split(string(b), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		var s DocSource
		part, s.BaseURL, _ = strings.Cut(part, "=")
		s.Path, s.Lang, _ = strings.Cut(part, "@")
		*d = append(*d, s)
	}
	return nil
}

// KnowledgeConfig tunes retrieval and answers.
type KnowledgeConfig struct {
	// MinConfidence is the confidence below which koban says it does not know.
	MinConfidence float64 `yaml:"min_confidence" env:"MIN_CONFIDENCE"`
	// Glossary is a file of the team's own Japanese terms and their
	// English words (see knowledge/glossary-ja-en.tsv), added to koban's.
	Glossary string `yaml:"glossary" env:"GLOSSARY"`
}

// LLMConfig points koban at an OpenAI-compatible endpoint. Empty: no LLM.
type LLMConfig struct {
	BaseURL        string        `yaml:"base_url" env:"BASE_URL"`
	APIKey         string        `yaml:"api_key" env:"API_KEY"`
	Model          string        `yaml:"model" env:"MODEL"`
	EmbeddingModel string        `yaml:"embedding_model" env:"EMBEDDING_MODEL"`
	Timeout        time.Duration `yaml:"timeout" env:"TIMEOUT"`
	// MaxAnswerChars bounds an answer's length (default 2500, fit for Slack).
	MaxAnswerChars int `yaml:"max_answer_chars" env:"MAX_ANSWER_CHARS"`
	// Azure selects Azure OpenAI (BaseURL is the resource endpoint, Model the deployment).
	Azure      bool   `yaml:"azure" env:"AZURE"`
	APIVersion string `yaml:"api_version" env:"API_VERSION"`
}

// SlackConfig connects koban to Slack. With an app token it uses Socket Mode;
// with a signing secret, the HTTP Events API. With neither, Slack is off.
type SlackConfig struct {
	BotToken      string `yaml:"bot_token" env:"SLACK_BOT_TOKEN"`
	AppToken      string `yaml:"app_token" env:"SLACK_APP_TOKEN"`
	SigningSecret string `yaml:"signing_secret" env:"SLACK_SIGNING_SECRET"`
	// APIURL points slack-go at another Web API base URL (tests, proxies).
	APIURL string `yaml:"api_url" env:"KOBAN_SLACK_API_URL"`
	// FallbackGroup is the user group (S…) mentioned when no rotation is configured.
	FallbackGroup string          `yaml:"fallback_group" env:"KOBAN_SLACK_FALLBACK_GROUP"`
	Channels      []ChannelConfig `yaml:"channels"`
	// RespondersGroup is a user group (S…) whose members act as the
	// platform on-call (acknowledge, resolve) besides the rotation members.
	RespondersGroup string `yaml:"responders_group" env:"KOBAN_SLACK_RESPONDERS_GROUP"`
	// Admins may do everything: Slack user IDs (U…, W…) or user groups (S…).
	Admins []string `yaml:"admins" env:"KOBAN_SLACK_ADMINS"`
}

// ChannelConfig is a channel koban listens to, and how.
type ChannelConfig struct {
	ID   string `yaml:"id"`
	Mode string `yaml:"mode"` // "all", "questions" or "mentions"
}

// WebConfig secures the web UI.
type WebConfig struct {
	// Token is required when HTTPAddr is not a loopback address.
	Token string `yaml:"token" env:"TOKEN"`
	// Hosts are the host names the web UI answers to besides localhost and
	// IP addresses (a Host header check against DNS rebinding); needed when
	// it is reached by name through a proxy. KOBAN_WEB_HOSTS is
	// comma-separated.
	Hosts []string `yaml:"hosts" env:"HOSTS"`
	// Actor is who the web UI acts as (recorded on what it does): the
	// shared token's admin identity. Default "web".
	Actor string `yaml:"actor" env:"ACTOR"`
	// OIDC turns on Sign in with Slack when ClientID is set.
	OIDC OIDCConfig `yaml:"oidc" envPrefix:"OIDC_"`
}

// OIDCConfig is Sign in with Slack for the web UI (a Slack app's OpenID
// Connect client: Client ID, Client Secret and the redirect URL
// https://<koban>/auth/callback).
type OIDCConfig struct {
	ClientID     string `yaml:"client_id" env:"CLIENT_ID"`
	ClientSecret string `yaml:"client_secret" env:"CLIENT_SECRET"`
	RedirectURL  string `yaml:"redirect_url" env:"REDIRECT_URL"`
	// Issuer is the OpenID provider; default https://slack.com.
	Issuer string `yaml:"issuer" env:"ISSUER"`
	// Team admits only members of this workspace (T…); empty: any.
	Team string `yaml:"team" env:"TEAM"`
}

// ReportConfig schedules the monthly report.
type ReportConfig struct {
	Channel string `yaml:"channel" env:"CHANNEL"`
	Cron    string `yaml:"cron" env:"CRON"`
}

// defaults returns the configuration koban runs with when nothing is set.
func defaults() Config {
	return Config{
		DataDir:        "./koban-data",
		HTTPAddr:       "127.0.0.1:8080",
		TimeZone:       "UTC",
		Language:       i18n.English,
		LogFormat:      "text",
		LogLevel:       "info",
		AutoCloseAfter: 7 * 24 * time.Hour,
		DocsRefresh:    5 * time.Minute,
		MemoryLimitMB:  400,
		Knowledge:      KnowledgeConfig{MinConfidence: 0.35},
		LLM:            LLMConfig{Timeout: 30 * time.Second},
		Report:         ReportConfig{Cron: "0 9 1 * *"},
		Triage:         triage.DefaultConfig(),
		Web:            WebConfig{Actor: "web"},
	}
}

// loadConfig reads the YAML file at path (or KOBAN_CONFIG, or ./koban.yaml if
// it exists), then applies the environment, then validates.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := defaults()
	explicit := path != ""
	if path == "" {
		path = getenv("KOBAN_CONFIG")
		explicit = path != ""
	}
	if path == "" {
		path = "koban.yaml"
	}
	b, err := os.ReadFile(path)
	var unknown error
	switch {
	case err == nil:
		if unknown, err = decodeConfigYAML(b, &cfg); err != nil {
			return Config{}, fmt.Errorf("config %s: %w", path, err)
		}
		if unknown != nil {
			unknown = fmt.Errorf("config %s: %w", path, unknown)
		}
	case errors.Is(err, os.ErrNotExist) && !explicit:
		// No file is fine: defaults and the environment.
	default:
		return Config{}, fmt.Errorf("config: %w", err)
	}
	// Read exactly the variables Config declares, through getenv.
	params, err := env.GetFieldParams(&cfg)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	environ := map[string]string{}
	for _, p := range params {
		if v := getenv(p.Key); v != "" {
			environ[p.Key] = v
		}
	}
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: environ}); err != nil {
		return Config{}, fmt.Errorf("config from environment: %w", err)
	}
	for i, d := range cfg.Docs {
		if d.TokenEnv != "" {
			cfg.Docs[i].token = getenv(d.TokenEnv)
		}
	}
	return cfg, errors.Join(unknown, cfg.validate())
}

// validate checks the configuration once, so that nothing fails later on a typo.
func (c *Config) validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("data_dir (KOBAN_DATA_DIR) is empty"))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, fmt.Errorf("database_url (KOBAN_DATABASE_URL) must start with postgres:// or be empty for SQLite, got %q", redactURL(c.DatabaseURL)))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("time_zone (KOBAN_TIME_ZONE): %w", err))
	}
	if !slices.Contains(i18n.Languages, c.Language) {
		errs = append(errs, fmt.Errorf("language (KOBAN_LANGUAGE) must be one of %s, got %q", strings.Join(i18n.Languages, ", "), c.Language))
	}
	if c.DocsRefresh < 0 {
		errs = append(errs, fmt.Errorf("docs_refresh (KOBAN_DOCS_REFRESH) must be 0 (at start only) or a duration such as 5m, got %v", c.DocsRefresh))
	}
	if c.MemoryLimitMB < 0 {
		errs = append(errs, fmt.Errorf("memory_limit_mb must be 0 (off) or a size in MiB, got %d", c.MemoryLimitMB))
	}
	if o := c.Web.OIDC; o.ClientID != "" && (o.ClientSecret == "" || !strings.HasPrefix(o.RedirectURL, "https://") && !strings.HasPrefix(o.RedirectURL, "http://127.0.0.1") && !strings.HasPrefix(o.RedirectURL, "http://localhost")) {
		errs = append(errs, errors.New("web.oidc: Sign in with Slack needs client_secret (KOBAN_WEB_OIDC_CLIENT_SECRET) and an https redirect_url ending in /auth/callback"))
	}
	if c.Retention < 0 {
		errs = append(errs, fmt.Errorf("retention (KOBAN_RETENTION) must be 0 (keep everything) or a duration such as 400d, got %v", time.Duration(c.Retention)))
	}
	if c.Retention > 0 && time.Duration(c.Retention) < 24*time.Hour {
		errs = append(errs, fmt.Errorf("retention (KOBAN_RETENTION) of %v is under a day: give days, such as 400d", time.Duration(c.Retention)))
	}
	for _, a := range c.Slack.Admins {
		if !validSlackID(a, "UWS") {
			errs = append(errs, fmt.Errorf("slack.admins: %q is not a Slack user ID (U…, W…) or user group (S…)", a))
		}
	}
	if g := c.Slack.RespondersGroup; g != "" && !validSlackID(g, "S") {
		errs = append(errs, fmt.Errorf("slack.responders_group (KOBAN_SLACK_RESPONDERS_GROUP): %q is not a Slack user group ID (S…)", g))
	}
	if c.Knowledge.MinConfidence < 0 || c.Knowledge.MinConfidence > 1 {
		errs = append(errs, fmt.Errorf("knowledge.min_confidence must be in [0,1], got %v", c.Knowledge.MinConfidence))
	}
	for _, d := range c.Docs {
		if d.Git != "" && (filepath.IsAbs(d.Path) || strings.HasPrefix(filepath.Clean(d.Path), "..")) {
			errs = append(errs, fmt.Errorf("docs: git source %s has path %q: want a folder within the repository", d.Git, d.Path))
		}
		if d.Git == "" && (d.Ref != "" || d.TokenEnv != "") {
			errs = append(errs, fmt.Errorf("docs: %s sets ref or token_env without git", d.Path))
		}
		if d.LinkStyle != "" && !slices.Contains(docsindex.LinkStyles, d.LinkStyle) {
			errs = append(errs, fmt.Errorf("docs: %s has link_style %q: want one of %s", d.Path, d.LinkStyle, strings.Join(docsindex.LinkStyles, ", ")))
		}
	}
	errs = append(errs, channelIDErrors(c)...)
	for _, ch := range c.Slack.Channels {
		switch ch.Mode {
		case "", "all", "questions", "mentions":
		default:
			errs = append(errs, fmt.Errorf("slack.channels: channel %s has mode %q: want all, questions or mentions", ch.ID, ch.Mode))
		}
	}
	if c.Slack.AppToken != "" && !strings.HasPrefix(c.Slack.AppToken, "xapp-") {
		errs = append(errs, errors.New("SLACK_APP_TOKEN must start with xapp-"))
	}
	if c.Slack.BotToken != "" && !strings.HasPrefix(c.Slack.BotToken, "xoxb-") {
		errs = append(errs, errors.New("SLACK_BOT_TOKEN must start with xoxb-"))
	}
	return errors.Join(errs...)
}

// redactURL hides the password in a database URL for error messages.
func redactURL(s string) string {
	if at := strings.LastIndex(s, "@"); at > 0 {
		if i := strings.Index(s, "://"); i >= 0 && i < at {
			return s[:i+3] + "…" + s[at:]
		}
	}
	return s
}
