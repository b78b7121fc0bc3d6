package redact

import (
	"fmt"
	"regexp"
	"strings"
)

// Rule IDs of koban's own rules, as they appear in masks. Rules that find the
// same kind of secret as a gitleaks rule use gitleaks' ID.
const (
	idSecretAssignment = "secret-assignment"
	idURLPassword      = "url-password"
	idAuthorization    = "authorization-header"
	idKubeconfigKey    = "kubeconfig-client-key"
	idAWSSecretKey     = "aws-secret-access-key"
	idAzureStorageKey  = "azure-storage-key"
	idAzureSAS         = "azure-sas-signature"
	idSlackToken       = "slack-token"
	idDockerHubToken   = "dockerhub-token"
	idPasswordFlag     = "cli-password-flag"
	idPrivateKey       = "private-key" // the same ID as gitleaks' rule
)

// unquotedValue is an unquoted value: printable ASCII up to a space, quote,
// backquote, comma or semicolon. ASCII only, so that a value written right
// before Japanese text ("パスワードはabcです") stops where the Japanese starts.
const unquotedValue = `[!#-%&(-+\--:<-_a-~]`

// kobanRuleDef is one of koban's rules before compiling.
type kobanRuleDef struct {
	id       string
	pattern  string
	keywords []string
	group    int // the secret's capture group
	keyGroup int // the key's capture group, for accept
	generic  bool
	anchored bool
	accept   func(c candidate) int
}

func kobanRuleDefs() []kobanRuleDef {
	return []kobanRuleDef{
		{
			// password: x, DB_PASSWORD=x, "api_key": "x", --password=x,
			// auth.postgresPassword=x, ?access_token=x&...
			id: idSecretAssignment,
			// The pattern starts at a keyword inside the key; match extends
			// the key back (DB_ in DB_PASSWORD, api_ in api_key) and keyKind
			// decides whether it names a secret.
			pattern: `(?i)((?:pass|pwd|secret|token|key|auth|credential)[A-Za-z0-9_.-]*)["']?[ \t]*(?:=|:=|:|=>)[ \t]*` +
				`(?:"([^"\n]+)"|'([^'\n]+)'|(` + unquotedValue + `+))`,
			keywords: []string{"pass", "pwd", "secret", "token", "key", "auth", "credential"},
			keyGroup: 1,
			generic:  true,
			anchored: true,
			accept:   acceptAssignment,
		},
		{
			// パスワードは x です, トークン：x
			id:       idSecretAssignment,
			pattern:  `(パスワード|暗証番号|パスフレーズ|トークン|シークレット|アクセスキー|APIキー|API キー|秘密鍵)[ \t　]*(?:は|が|:|：|=|＝)[ \t　]*(?:「([^」\n]+)」|"([^"\n]+)"|(` + unquotedValue + `+))`,
			keywords: []string{"パスワード", "暗証番号", "パスフレーズ", "トークン", "シークレット", "アクセスキー", "apiキー", "api キー", "秘密鍵"},
			keyGroup: 1,
			generic:  true,
			anchored: true,
			accept:   acceptAssignment,
		},
		{
			// postgres://user:pass@host, redis://:pass@host, https://user:token@github.com
			id:       idURLPassword,
			pattern:  `(?i)\b[a-z][a-z0-9+.-]{1,30}://[^\s:/?#@"'<>]*:([^\s@/"'<>]+)@`,
			keywords: []string{"://"},
			group:    1,
			generic:  true,
			accept:   acceptNonReference,
		},
		{
			// Go's MySQL DSN: user:pass@tcp(host:3306)/db
			id:       idURLPassword,
			pattern:  `[A-Za-z0-9_.-]{1,64}:([^\s@/:"']+)@(?:tcp|unix)\(`,
			keywords: []string{"@tcp(", "@unix("},
			group:    1,
			generic:  true,
			accept:   acceptNonReference,
		},
		{
			id:       idAuthorization,
			pattern:  `(?i)\b(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?(?:(?:bearer|basic|token|digest|negotiate|api-?key|sso-key)[ \t]+)?([^\s"']{8,})`,
			keywords: []string{"authorization"},
			group:    1,
			generic:  true,
			accept:   acceptNonReference,
		},
		{
			id:       idAuthorization,
			pattern:  `(?i)\bbearer[ \t]+([A-Za-z0-9._~+/=-]{16,})`,
			keywords: []string{"bearer"},
			group:    1,
			generic:  true,
			accept:   func(c candidate) int { return keepIf(!isReference(c.secret) && looksRandom(c.secret), c) },
		},
		{
			id:       idKubeconfigKey,
			pattern:  `(?i)\bclient-key-data["']?[ \t]*:[ \t]*["']?([A-Za-z0-9+/=]{16,})`,
			keywords: []string{"client-key-data"},
			group:    1,
		},
		{
			id:       idAWSSecretKey,
			pattern:  `(?i)aws_?secret(?:_?access)?_?key["']?[ \t]*(?:=|:)[ \t]*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)`,
			keywords: []string{"aws_secret", "awssecret"},
			group:    1,
		},
		{
			id:       idAzureStorageKey,
			pattern:  `(?i)\b(?:AccountKey|SharedAccessKey)[ \t]*=[ \t]*([A-Za-z0-9+/]{20,}={0,2})`,
			keywords: []string{"accountkey", "sharedaccesskey"},
			group:    1,
		},
		{
			id:       idAzureSAS,
			pattern:  `(?i)[?&;]sig=([A-Za-z0-9%+/=]{16,})`,
			keywords: []string{"sig="},
			group:    1,
		},
		{
			// Bot, user, app, refresh (xoxe-) and configuration (xoxe.xoxp-)
			// tokens; gitleaks' rules want exact lengths and miss some.
			id:       idSlackToken,
			pattern:  `\b(?:xox[abeoprs]|xapp)[-.][A-Za-z0-9.-]{10,}`,
			keywords: []string{"xox", "xapp"},
			generic:  true, // gitleaks' slack-*-token rules name the kind
		},
		{
			id:       idDockerHubToken,
			pattern:  `\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}`,
			keywords: []string{"dckr_"},
		},
		{
			// mysql -u root -pSECRET (no space: "-p SECRET" would prompt
			// and take SECRET as the database).
			id:       idPasswordFlag,
			pattern:  `\b(?i:mysql\w*|mariadb\w*)\b[^\n|;&]*?[ \t]-p("[^"\n]+"|'[^'\n]+'|[^\s"'-][^\s"']*)`,
			keywords: []string{"mysql", "mariadb"},
			group:    1,
			accept:   acceptNonReference,
		},
		{
			// docker login -u ci -p SECRET, sshpass -p SECRET, twine upload -p
			id:       idPasswordFlag,
			pattern:  `\b(?:login|sshpass|upload)\b[^\n|;&]*?[ \t](?:-p|--password|--pass)(?:[ \t]+|=)("[^"\n]+"|'[^'\n]+'|[^\s"'-][^\s"']*)`,
			keywords: []string{"login", "sshpass", "upload"},
			group:    1,
			accept:   acceptNonReference,
		},
		{
			// --token abc, --api-key abc (the = form is a secret-assignment)
			id:       idPasswordFlag,
			pattern:  `(?i)(--(?:[a-z0-9]+-)*(?:password|passwd|token|secret|api-?key|access-key|secret-key))[ \t]+("[^"\n]+"|'[^'\n]+'|[^\s"'-][^\s"']*)`,
			keywords: []string{"--"},
			group:    2,
			keyGroup: 1,
			generic:  true,
			anchored: true,
			accept: func(c candidate) int {
				if !strings.HasPrefix(c.key, "--") {
					return 0
				}
				return acceptAssignment(c)
			},
		},
	}
}

// kobanRules compiles koban's rules, including the private-key block finder.
func kobanRules() ([]*rule, error) {
	var rules []*rule
	for _, d := range kobanRuleDefs() {
		pattern := d.pattern
		if d.anchored {
			pattern = "^(?:" + pattern + ")"
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", d.id, err)
		}
		kws := make([]string, len(d.keywords))
		for i, kw := range d.keywords {
			kws[i] = asciiLower(kw)
		}
		rules = append(rules, &rule{
			id: d.id, re: re, secretGroup: d.group, keyGroup: d.keyGroup,
			keywords: kws, generic: d.generic, anchored: d.anchored, accept: d.accept,
		})
	}
	rules = append(rules, &rule{id: idPrivateKey, keywords: []string{"-----begin"}, find: findPrivateKey})
	return rules, nil
}

// pemHeader is the first line of a PEM private-key block: RSA, EC, DSA,
// OPENSSH, ENCRYPTED, PGP ("PRIVATE KEY BLOCK") or plain PKCS#8.
var pemHeader = regexp.MustCompile(`(?i)^-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----`)

// pemFooter ends a private-key block.
var pemFooter = regexp.MustCompile(`(?i)-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----`)

// findPrivateKey masks the private-key block that starts at pos, from BEGIN to
// END. A block cut off before its END line (Slack messages get truncated) is
// masked as far as its base64 body goes: a key without its last lines is still
// a key.
func findPrivateKey(text string, pos int) [][2]int {
	h := pemHeader.FindStringIndex(text[pos:])
	if h == nil {
		return nil
	}
	body := pos + h[1]
	if f := pemFooter.FindStringIndex(text[body:min(len(text), body+multilineWindow)]); f != nil {
		return [][2]int{{pos, body + f[1]}}
	}
	end := body
	for end < len(text) && isPEMBodyByte(text[end]) {
		end++
	}
	return [][2]int{{pos, end}}
}

func isPEMBodyByte(c byte) bool {
	switch {
	case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return true
	}
	// \ for JSON-escaped newlines ("\n"), : , - for Proc-Type headers.
	return strings.IndexByte("+/=\r\n\t\\:,-", c) >= 0
}

// Key kinds for acceptAssignment.
const (
	keyNone = iota
	keyPassword
	keyOther
)

// nonSecretKeySuffixes end keys whose value is about a secret but is not one:
// token_ttl, password_min_length, secretName, passwordSecretRef,
// adminPasswordKey, tokenizer...
var nonSecretKeySuffixes = []string{
	"ttl", "length", "len", "file", "files", "path", "dir", "url", "uri", "endpoint",
	"name", "names", "ref", "reference", "type", "mode", "enabled", "enable", "disabled",
	"id", "ids", "count", "size", "policy", "role", "expiry", "expiration", "expires",
	"expiresat", "expiresin", "timeout", "prefix", "header", "source", "format", "method",
	"provider", "field", "store", "version", "rotation", "lifetime", "duration", "period",
	"interval", "required", "strength", "hint", "keys", "tokens", "passwordkey", "tokenkey",
	"secretkeyref", "class", "kind", "issuer", "audience", "scope", "scopes", "algorithm",
	"tokenizer", "limit", "max", "min", "usage", "location", "backend", "mount", "engine",
}

// keyKind classifies an assignment key such as DB_PASSWORD, "api_key",
// auth.postgresPassword or トークン.
func keyKind(key string) int {
	var b strings.Builder
	for _, r := range strings.ToLower(key) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f {
			b.WriteRune(r)
		}
	}
	k := b.String()
	if strings.HasPrefix(k, "existing") || strings.HasPrefix(k, "max") || strings.HasPrefix(k, "min") {
		return keyNone
	}
	for _, s := range nonSecretKeySuffixes {
		if strings.HasSuffix(k, s) {
			return keyNone
		}
	}
	for _, w := range []string{"password", "passwd", "passphrase", "pwd", "パスワード", "暗証番号", "パスフレーズ"} {
		if strings.Contains(k, w) {
			return keyPassword
		}
	}
	for _, w := range []string{"secret", "token", "apikey", "accesskey", "privatekey", "accountkey", "clientkey", "credential", "トークン", "シークレット", "アクセスキー", "apiキー", "秘密鍵"} {
		if strings.Contains(k, w) {
			return keyOther
		}
	}
	// "auth" only as the whole key or its last word (docker's "auth",
	// npm's _auth, basicAuth), never inside "certificate-authority-data".
	if strings.HasSuffix(k, "auth") && !strings.HasSuffix(k, "oauth") {
		return keyOther
	}
	return keyNone
}

// proseWords are values that follow "password:" in prose rather than being
// the password ("password: expired, how do I reset it").
var proseWords = map[string]bool{
	"expired": true, "required": true, "invalid": true, "incorrect": true, "wrong": true,
	"reset": true, "missing": true, "empty": true, "rejected": true, "changed": true,
	"forgotten": true, "unknown": true, "optional": true, "none": true, "null": true,
	"true": true, "false": true, "nil": true, "undefined": true, "redacted": true,
	"masked": true, "hidden": true, "removed": true, "omitted": true, "secret": true,
	"password": true, "token": true,
}

// candidate is a possible secret found by one of koban's rules.
type candidate struct {
	key    string // the key it is assigned to, if the rule has one
	secret string
	prev   byte // the byte before the match, 0 at the start of the text
}

// keepIf returns the length of c's secret if ok, and 0 otherwise.
func keepIf(ok bool, c candidate) int {
	if ok {
		return len(c.secret)
	}
	return 0
}

func acceptNonReference(c candidate) int { return keepIf(!isReference(c.secret), c) }

// acceptAssignment decides whether the value assigned to a key is a secret,
// and how much of it to mask.
func acceptAssignment(c candidate) int {
	kind := keyKind(c.key)
	if kind == keyNone {
		return 0
	}
	v := c.secret
	if c.prev == '/' {
		// https://user:token@host: the url-password rule's.
		return 0
	}
	if c.prev == '?' || c.prev == '&' {
		// A URL query parameter: the value ends at the next parameter.
		if i := strings.IndexByte(v, '&'); i >= 0 {
			v = v[:i]
		}
	}
	if isReference(v) || strings.HasPrefix(v, "-----BEGIN") {
		// A PEM block in a JSON "private_key" is the private-key rule's.
		return 0
	}
	v = strings.TrimRight(v, ".)]}>")
	if isReference(v) || proseWords[strings.ToLower(v)] {
		return 0
	}
	if kind == keyPassword && len(v) >= 6 || kind == keyOther && len(v) >= 8 && looksRandom(v) {
		return len(v)
	}
	return 0
}

var referencePatterns = []*regexp.Regexp{
	regexp.MustCompile(`^\$[A-Z_][A-Z0-9_]*$`),                    // $DB_PASSWORD
	regexp.MustCompile(`^\$\{.*\}$`),                              // ${DB_PASSWORD}, ${{ secrets.X }}
	regexp.MustCompile(`^\$\(.*\)$`),                              // $(cat /run/secrets/x)
	regexp.MustCompile(`^\{\{.*\}\}$|^\{\{`),                      // {{ .Values.token }}
	regexp.MustCompile(`^%\(?\w*\)?[sdv]$|^%[A-Z_]+%$`),           // %s, %(password)s, %PASSWORD%
	regexp.MustCompile(`^<[^<>]*>$`),                              // <your-password>
	regexp.MustCompile(`^(?:\*+|x+|X+|\.+|•+|#+|-+|_+)$`),         // ********, xxxx
	regexp.MustCompile(`^\[REDACTED(?::[\w.-]+)?\]`),              // already masked
	regexp.MustCompile(`^/[\w./-]*$`),                             // a file path
	regexp.MustCompile(`(?i)^(?:your|my)[-_]?[a-z_-]*(?:here)?$`), // your-token-here
	regexp.MustCompile(`(?i)^(?:example|placeholder|dummy|sample|todo|tbd)[-_]?\w{0,12}$`),
	regexp.MustCompile(`^secrets\.[\w.]+$|^vault:|^ref\+|^arn:aws:secretsmanager:`), // references into secret stores
}

// isReference reports whether v names or stands for a secret rather than
// being one.
func isReference(v string) bool {
	v = strings.Trim(v, `"'`)
	if v == "" {
		return true
	}
	for _, re := range referencePatterns {
		if re.MatchString(v) {
			return true
		}
	}
	return false
}

// looksRandom reports whether s mixes character classes the way generated
// credentials do, unlike names such as payments-db-credentials.
func looksRandom(s string) bool {
	var lower, upper, digit bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
			lower = true
		case 'A' <= c && c <= 'Z':
			upper = true
		case '0' <= c && c <= '9':
			digit = true
		}
	}
	classes := 0
	for _, ok := range []bool{lower, upper, digit} {
		if ok {
			classes++
		}
	}
	return classes >= 2 && entropy(s) > 2.5
}
