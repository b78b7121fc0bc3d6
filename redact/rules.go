package redact

import (
	"encoding/base64"
	"regexp"
	"strings"
)

// findAssignment finds a secret assigned to a key that contains the keyword
// at pos: password: x, DB_PASSWORD=x, "api_key": "x", --password=x,
// auth.postgresPassword=x, ?access_token=x&..., "Secret access key: x".
// acceptAssignment decides whether the key names a secret and the value is
// one. It is hand-written rather than a regular expression because it runs
// at every "key", "token" and "pass" in the text, most of them prose: it
// gives up within a few bytes where a regular expression costs microseconds.
func findAssignment(text string, pos int) [][2]int {
	c, start, ok := parseAssignment(text, pos)
	if !ok {
		return nil
	}
	n := acceptAssignment(c)
	if n == 0 || sealedValue(text, start) {
		return nil
	}
	return [][2]int{{start, start + n}}
}

// parseAssignment reads "key = value" where the keyword at pos is part of the
// key. The key runs back to its first byte and on for up to two more words
// ("Secret access key"); then come an optional closing quote, a separator (=,
// :, := or =>) and a value, quoted or not. It returns the candidate and where
// its secret starts.
func parseAssignment(text string, pos int) (c candidate, start int, ok bool) {
	ks := pos
	for ks > 0 && isKeyByte(text[ks-1]) {
		ks--
	}
	e := pos
	for e < len(text) && isKeyByte(text[e]) {
		e++
	}
	ends := []int{e}
	for range 2 {
		if e+1 >= len(text) || text[e] != ' ' || !isLetter(text[e+1]) {
			break
		}
		e++
		for e < len(text) && isLetter(text[e]) {
			e++
		}
		ends = append(ends, e)
	}
	// Like a greedy regular expression: the longest key that is followed
	// by a separator and a value.
	for i := len(ends) - 1; i >= 0; i-- {
		vs, ve, ok := parseValue(text, ends[i])
		if !ok {
			continue
		}
		c = candidate{key: text[ks:ends[i]], secret: text[vs:ve], after: text[ve:min(len(text), ve+64)]}
		if ks > 0 {
			c.prev = text[ks-1]
			c.before = text[max(0, ks-64):ks]
		}
		return c, vs, true
	}
	return c, 0, false
}

// parseValue reads, from i, an optional closing quote, a separator and a
// value, and returns where the value starts and ends.
func parseValue(text string, i int) (start, end int, ok bool) {
	if i < len(text) && (text[i] == '"' || text[i] == '\'') {
		i++
	}
	i = skipBlanks(text, i)
	switch {
	case strings.HasPrefix(text[i:], "=>"), strings.HasPrefix(text[i:], ":="):
		i += 2
	case i < len(text) && (text[i] == '=' || text[i] == ':'):
		i++
	default:
		return 0, 0, false
	}
	i = skipBlanks(text, i)
	if i >= len(text) {
		return 0, 0, false
	}
	if q := text[i]; q == '"' || q == '\'' {
		n := strings.IndexAny(text[i+1:], string(q)+"\n")
		if n <= 0 || text[i+1+n] != q {
			return 0, 0, false
		}
		return i + 1, i + 1 + n, true
	}
	end = i
	for end < len(text) && isUnquotedByte(text[end]) {
		if text[end] == '\\' && end+1 < len(text) && strings.IndexByte("nrt", text[end+1]) >= 0 {
			// An escaped newline or tab in JSON or a log line ends the value.
			break
		}
		end++
	}
	return i, end, end > i
}

func skipBlanks(text string, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	return i
}

// isUnquotedByte reports whether c can be part of an unquoted value:
// printable ASCII but for quotes, backquotes, commas and semicolons. ASCII
// only, so that a value written right before Japanese text
// ("パスワードはabcです") stops where the Japanese starts.
func isUnquotedByte(c byte) bool {
	return c > ' ' && c < 0x7f && c != '"' && c != '\'' && c != '`' && c != ',' && c != ';'
}

// japaneseSeparatorFollows tells whether one of the separators appears
// shortly after a Japanese key. It may say yes where the pattern then
// finds nothing, never the reverse.
func japaneseSeparatorFollows(text string, pos int) bool {
	window := text[pos:min(len(text), pos+48)]
	for _, sep := range []string{"は", "が", ":", "：", "=", "＝"} {
		if strings.Contains(window, sep) {
			return true
		}
	}
	return false
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// starts.
const base64PEMBegin = "LS0tLS1CRUdJTi"

// findEncodedPrivateKey masks a base64-encoded PEM private key, as in a
// Kubernetes TLS Secret (tls.key), a kubeconfig (client-key-data) or Helm
// values, and leaves encoded certificates (tls.crt,
// certificate-authority-data) alone: it decodes the start of the value to see
// which it is.
func findEncodedPrivateKey(text string, pos int) [][2]int {
	if !strings.HasPrefix(text[pos:], base64PEMBegin) {
		return nil
	}
	end := pos
	for end < len(text) && isBase64Byte(text[end]) {
		end++
	}
	head := text[pos:min(end, pos+80)]
	dec, _ := base64.StdEncoding.DecodeString(head[:len(head)/4*4])
	if !strings.Contains(string(dec), "PRIVATE KEY") {
		return nil
	}
	// base64 wraps at 76 columns by default: take the following lines
	// that are base64 only.
	for end < len(text) && text[end] == '\n' {
		next := end + 1
		for next < len(text) && (text[next] == ' ' || text[next] == '\t') {
			next++
		}
		e := next
		for e < len(text) && isBase64Byte(text[e]) {
			e++
		}
		if e-next < 16 || e < len(text) && text[e] != '\n' && text[e] != '\r' {
			break
		}
		end = e
	}
	return [][2]int{{pos, end}}
}

func isBase64Byte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '='
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
	"string", "dsn", "manager", "hash", "digest", "fingerprint", "checksum", "date",
}

// normalizeKey lower-cases key and drops what is not a letter or a digit:
// DB_PASSWORD, db-password and dbPassword are all dbpassword.
func normalizeKey(key string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(key) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// limitKey matches keys that are limits: max_tokens, maxPasswordAge,
// min-password-length (but not MINIO_SECRET_KEY).
var limitKey = regexp.MustCompile(`^(?:(?i:max|min)[_.-]|(?:max|min)[A-Z])`)

// arnPrefix ends the text before a key that is the resource type of an ARN
// (arn:aws:secretsmanager:eu-west-2:123456789012:secret:name).
var arnPrefix = regexp.MustCompile(`arn:[\w-]+:[\w-]+:[\w-]*:\d*:$`)

// sourceFile matches keys that are file names, as in "pwd.h:42".
var sourceFile = regexp.MustCompile(`(?i)\.(?:h|c|cc|cpp|go|py|js|ts|rb|java|rs|php|sh|ya?ml|json|toml|conf|cfg|ini|txt|md|log)$`)

// keyKind classifies an assignment key such as DB_PASSWORD, "api_key",
// auth.postgresPassword or トークン.
func keyKind(key string) int {
	k := normalizeKey(key)
	first := k
	if i := strings.IndexByte(key, ' '); i >= 0 {
		// "Secret access key", "password for staging": the first word
		// says what the key is about.
		first = normalizeKey(key[:i])
	}
	if sourceFile.MatchString(key) {
		return keyNone
	}
	if strings.HasPrefix(k, "existing") || limitKey.MatchString(key) {
		return keyNone
	}
	for _, s := range nonSecretKeySuffixes {
		if strings.HasSuffix(k, s) || strings.HasSuffix(first, s) {
			return keyNone
		}
	}
	for _, w := range []string{"password", "passwd", "passphrase", "pwd", "パスワード", "暗証番号", "パスフレーズ"} {
		if strings.Contains(k, w) {
			return keyPassword
		}
	}
	for _, w := range []string{"secret", "token", "apikey", "accesskey", "privatekey", "accountkey", "clientkey", "tlskey", "credential", "appkey", "applicationkey", "licensekey", "routingkey", "integrationkey", "servicekey", "masterkey", "signingkey", "encryptionkey", "トークン", "シークレット", "アクセスキー", "apiキー", "秘密鍵"} {
		if strings.Contains(k, w) {
			return keyOther
		}
	}
	// "auth" only as the whole key (docker's "auth", npm's _auth) or in
	// basicAuth, never in certificate-authority-data or require_auth.
	switch k {
	case "auth", "basicauth", "httpauth", "proxyauth":
		return keyOther
	case "pass", "smtppass", "dbpass":
		return keyPassword
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
	"password": true, "token": true, "blank": true, "same": true, "here": true,
	"this": true, "that": true, "below": true, "above": true, "unset": true, "what": true,
	"please": true, "help": true, "again": true, "fails": true, "failed": true, "error": true,
	"does": true, "doesn": true, "works": true, "needed": true, "prompt": true,
	// Code: type Passwd = struct {
	"struct": true, "string": true, "bool": true, "func": true, "interface": true,
}

// candidate is a possible secret found by one of koban's rules.
type candidate struct {
	key    string // the key it is assigned to, if the rule has one
	secret string
	prev   byte   // the byte before the key, 0 at the start of the text
	before string // up to 64 bytes of text before the key
	after  string // up to 64 bytes of text after the secret
}

// proseNext matches the text after a value that is a word of a sentence.
var proseNext = regexp.MustCompile(`^ [A-Za-z]+(?:[ ,.?!]|$)`)

// keepIf returns the length of c's secret if ok, and 0 otherwise.
func keepIf(ok bool, c candidate) int {
	if ok {
		return len(c.secret)
	}
	return 0
}

// acceptURLPassword is acceptNonReference for the password of a URL, which
// must not be a port followed by a path (http://host:8080/users/@alice).
func acceptURLPassword(c candidate) int {
	if i := strings.IndexByte(c.secret, '/'); i >= 0 && strings.Trim(c.secret[:i], "0123456789") == "" {
		return 0
	}
	return acceptNonReference(c)
}

// acceptToken accepts a generated-looking token ("Bearer ..." in a diagram,
// "Authorization: cloud-controller-manager" in prose are not).
func acceptToken(c candidate) int {
	return keepIf(!isReference(c.secret) && looksRandom(c.secret), c)
}

// acceptJapaneseAssignment is acceptAssignment for a Japanese key. Japanese
// runs words together, so a value of letters only right after the key is a
// word of the sentence (パスワードはYAMLファイル内に…), not a password.
func acceptJapaneseAssignment(c candidate) int {
	if strings.Trim(c.secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == "" {
		return 0
	}
	return acceptAssignment(c)
}

// plainWord matches a word written in letters only, possibly capitalised.
var plainWord = regexp.MustCompile(`^[A-Za-z][a-z]*$`)

// acceptArgument accepts a command-line argument that is not a reference;
// a comma or full stop after it ends the sentence around the command.
func acceptArgument(c candidate) int {
	c.secret = strings.TrimRight(c.secret, ".,")
	return acceptNonReference(c)
}

// acceptNonReference accepts any secret that is not a reference.
func acceptNonReference(c candidate) int { return keepIf(!isReference(c.secret), c) }

// acceptAssignment decides whether the value assigned to a key is a secret,
// and how much of it to mask.
func acceptAssignment(c candidate) int {
	kind := keyKind(c.key)
	if kind == keyNone {
		return 0
	}
	switch {
	case c.prev == ':' && arnPrefix.MatchString(c.before):
		return 0
	case c.prev == '/':
		// https://user:token@host: the url-password rule's.
		return 0
	case strings.HasPrefix(c.secret, "-----BEGIN"):
		// A PEM block in a JSON "private_key": the private-key rule's.
		return 0
	}
	v := c.secret
	if c.prev == '?' || c.prev == '&' {
		// A URL query parameter: the value ends at the next parameter.
		if i := strings.IndexByte(v, '&'); i >= 0 {
			v = v[:i]
		}
	}
	trimmed := strings.TrimRight(v, ".:)]}>")
	// Cheap tests first: most values after a key in prose fail them.
	switch kind {
	case keyPassword:
		if len(trimmed) < 4 || proseWords[strings.ToLower(trimmed)] {
			return 0
		}
		if strings.Trim(trimmed, "0123456789") == "" && len(trimmed) < 8 {
			// NSS_BUFLEN_PASSWD = 1024: lengths, counts and ports, not PINs.
			return 0
		}
		if plainWord.MatchString(trimmed) && proseNext.MatchString(c.after) {
			// "Password: Enter your Artifactory token": the sentence goes on.
			return 0
		}
	case keyOther:
		if len(trimmed) < 8 || !looksRandom(trimmed) || dottedName(trimmed) {
			return 0
		}
	}
	// ${DB_PASSWORD} and <your-password> end in a character that trimming
	// removes, so both forms are checked.
	if isReference(v) || isReference(trimmed) {
		return 0
	}
	return len(trimmed)
}

var referencePatterns = []*regexp.Regexp{
	// Variables: $DB_PASSWORD, ${DB_PASSWORD}, ${{ secrets.X }},
	// $(cat /run/secrets/x), {{ .Values.token }}, %s, %(password)s,
	// %PASSWORD%, DOCKER_PASSWORD.
	regexp.MustCompile(`^\$(?:[A-Z_]+|[a-z_]+)$|^\$\{|^\$\(|^\{\{`),
	regexp.MustCompile(`^%\(?\w*\)?[sdv]$|^%[A-Z_]+%$`),
	regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$`),
	// Placeholders: <your-password>, ********, xxxx, your-token-here,
	// some-password, and the values documentation uses.
	regexp.MustCompile(`^<[^<>]*>$`),
	regexp.MustCompile(`^(?:\*+|x+|X+|\.+|•+|#+|-+|_+)$`),
	regexp.MustCompile(`(?i)^(?:your|my|some|example|sample|dummy|fake)[-_]?[a-z_-]*$`),
	regexp.MustCompile(`(?i)^(?:example|placeholder|dummy|sample|todo|tbd)[-_]?\w{0,12}$`),
	regexp.MustCompile(`(?i)^(?:pass|password|passwd|pwd|secret|passphrase|token|changeme|mypassword|yourpassword|mysecret|yoursecret)$`),
	// Already masked.
	regexp.MustCompile(`^\[REDACTED`),
	// Files: /var/run/secrets/token, ./password.txt, ~/.pgpass.
	regexp.MustCompile(`^/[\w./-]*$|^(?:\.{1,2}|~)/`),
	// Code and structure: os.Getenv("TOKEN"), cfg.Password, &Config{},
	// 0x2000741a, a YAML or JSON list or object.
	regexp.MustCompile(`^[A-Za-z_][\w.]*\(|^[A-Za-z_]+(?:\.[A-Za-z_]+)+$|^&[A-Za-z_]|^-?0x[0-9a-fA-F]+$|^[\[{]`),
	// References into secret stores.
	regexp.MustCompile(`^secrets\.[\w.]+$|^vault:|^ref\+|^arn:aws:secretsmanager:`),
	// Values encrypted or resolved elsewhere: Azure Key Vault references
	// (@Microsoft.KeyVault(...)), SOPS (ENC[AES256_GCM,...]), YAML tags
	// (Ansible's !vault, CloudFormation's !Ref and !Sub).
	regexp.MustCompile(`^@Microsoft\.KeyVault\(|^ENC\[|^!(?:vault|Ref|Sub|GetAtt|ImportValue|Join|Select|FindInMap|Base64|If|Split|Cidr|GetAZs|secret|env)$`),
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

// looksRandom reports whether s mixes letters and digits the way generated
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
	// Generated credentials of 8 characters or more nearly always hold a
	// digit; CamelCase words (ActiveDirectoryDefault) do not.
	return digit && (lower || upper) && entropy(s) > 2.5
}
