package redact

import (
	"strconv"
	"strings"
)

// More of koban's rule IDs: formats that gitleaks' default rule set misses or
// masks in part.
const (
	idStripeWebhook    = "stripe-webhook-secret"
	idNewRelicLicense  = "newrelic-license-key"
	idDiscordWebhook   = "discord-webhook-url"
	idTwilioAuthToken  = "twilio-auth-token"
	idPuTTYPrivateKey  = "putty-private-key"
	idVaultUnsealKey   = "vault-unseal-key"
	idPasswordArgument = "cli-password-argument"
)

// quotedOrWord is a shell argument: quoted, or an unquoted word.
const quotedOrWord = `("[^"\n]+"|'[^'\n]+'|` + shellWord + `)`

// moreRuleDefs are koban's rules for formats found missing in review:
// webhook secrets and URLs, license keys, passwords given to commands as
// arguments, and Japanese keys followed by a space rather than a separator.
func moreRuleDefs() []kobanRuleDef {
	return []kobanRuleDef{
		{
			id:       idStripeWebhook,
			pattern:  `\bwhsec_[A-Za-z0-9+/=]{24,}`,
			keywords: []string{"whsec_"},
		},
		{
			// 40 characters ending in NRAL, optionally with a region
			// prefix (eu01xx...).
			id:       idNewRelicLicense,
			pattern:  `\b[A-Za-z0-9]{36}NRAL\b`,
			keywords: []string{"nral"},
		},
		{
			id:       idDiscordWebhook,
			pattern:  `https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api(?:/v\d+)?/webhooks/\d{5,30}/[A-Za-z0-9_-]{40,}`,
			keywords: []string{"discord"},
		},
		{
			// vault operator init: "Unseal Key 1: <base64>".
			id:       idVaultUnsealKey,
			pattern:  `(?i)\bunseal key(?:[ \t]+\d+)?[ \t]*:[ \t]*([A-Za-z0-9+/=]{20,})`,
			keywords: []string{"unseal key"},
			group:    1,
		},
		{
			// redis-cli -a PASSWORD, redis-cli --pass PASSWORD
			id:       idPasswordFlag,
			pattern:  `\bredis-cli\b[^\n|;&]*?[ \t](?:-a|--pass)(?:[ \t]+|=)` + quotedOrWord,
			keywords: []string{"redis-cli"},
			group:    1,
			accept:   acceptArgument,
		},
		{
			// ldapsearch -D dn -w PASSWORD (-W prompts)
			id:       idPasswordFlag,
			pattern:  `\bldap(?:search|modify|add|delete|passwd|whoami|compare|modrdn|exop)\b[^\n|;&]*?[ \t]-w[ \t]+` + quotedOrWord,
			keywords: []string{"ldap"},
			group:    1,
			accept:   acceptArgument,
		},
		{
			// rabbitmqctl add_user NAME PASSWORD, change_password NAME PASSWORD
			id:       idPasswordArgument,
			pattern:  `\brabbitmqctl\b[^\n|;&]*?[ \t](?:add_user|change_password)[ \t]+(?:"[^"\n]+"|'[^'\n]+'|\S+)[ \t]+` + quotedOrWord,
			keywords: []string{"rabbitmqctl"},
			group:    1,
			accept:   acceptArgument,
		},
		{
			// DBのパスワード P@ssw0rd: a Japanese key, a space and a value
			// that mixes letters with digits or symbols (a word would be
			// part of the sentence).
			id:       idSecretAssignment,
			pattern:  `(パスワード|暗証番号|パスフレーズ|トークン|シークレット|アクセスキー|(?i:api) ?キー|秘密鍵)[ \t　]+(` + unquotedValue + `{6,})`,
			keywords: []string{"パスワード", "暗証番号", "パスフレーズ", "トークン", "シークレット", "アクセスキー", "apiキー", "api キー", "秘密鍵"},
			keyGroup: 1,
			generic:  true,
			anchored: true,
			accept:   acceptSpacedJapanese,
		},
	}
}

// moreFindRules are koban's hand-written finders for formats that span lines
// or need a count (PuTTY keys, ~/.netrc) or whose keyword is too common for a
// regular expression to run at each (Twilio's AC account SID, "is").
func moreFindRules() []*rule {
	return []*rule{
		{id: idNetrcPassword, keywords: []string{"machine", "default"}, find: findNetrc},
		{id: idPuTTYPrivateKey, keywords: []string{"private-lines:"}, find: findPuTTYPrivateKey},
		{id: idTwilioAuthToken, keywords: []string{"ac"}, find: findTwilioAuthToken},
		{id: idPasswordArgument, keywords: []string{"htpasswd"}, find: findHtpasswd},
		{id: idSecretAssignment, keywords: []string{" is "}, find: findProseAssignment, generic: true},
	}
}

// acceptSpacedJapanese accepts a value after a Japanese key and a space when
// it holds a letter and a digit or symbol, as passwords do and words do not.
func acceptSpacedJapanese(c candidate) int {
	v := strings.TrimRight(c.secret, ".,:)]}>")
	var letter, other bool
	for i := 0; i < len(v); i++ {
		switch ch := v[i]; {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z':
			letter = true
		default:
			other = true
		}
	}
	if !letter || !other {
		return 0
	}
	c.secret = v
	return acceptAssignment(c)
}

// wordAt reports whether text[pos:] starts a word (nothing of a word before).
func wordAt(text string, pos int) bool {
	return pos == 0 || !isKeyByte(text[pos-1])
}

// field is a whitespace-separated token of text and where it starts.
type field struct {
	s     string
	start int
}

// fieldsFrom returns up to n tokens of text from pos, across lines if
// lines, else up to the end of the line. A quoted token is returned without
// its quotes.
func fieldsFrom(text string, pos, n int, lines bool) []field {
	var out []field
	i := pos
	for len(out) < n && i < len(text) {
		for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || lines && text[i] == '\n') {
			i++
		}
		if i >= len(text) || text[i] == '\n' {
			break
		}
		if q := text[i]; q == '"' || q == '\'' {
			e := strings.IndexAny(text[i+1:], string(q)+"\n")
			if e >= 0 && text[i+1+e] == q {
				out = append(out, field{text[i+1 : i+1+e], i + 1})
				i += e + 2
				continue
			}
		}
		s := i
		for i < len(text) && text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r' {
			i++
		}
		out = append(out, field{text[s:i], s})
	}
	return out
}

// findNetrc masks the password of a ~/.netrc entry, on one line or several:
// "machine HOST login USER password SECRET" or "default login USER password
// SECRET".
func findNetrc(text string, pos int) [][2]int {
	if !wordAt(text, pos) {
		return nil
	}
	fs := fieldsFrom(text, pos, 10, true)
	if len(fs) < 3 {
		return nil
	}
	i := 1
	switch fs[0].s {
	case "machine":
		i = 2
	case "default":
	default:
		return nil
	}
	for ; i+1 < len(fs); i += 2 {
		switch fs[i].s {
		case "login", "account", "port":
			continue
		case "password":
			f := fs[i+1]
			n := acceptArgument(candidate{secret: f.s})
			if n == 0 {
				return nil
			}
			return [][2]int{{f.start, f.start + n}}
		}
		return nil
	}
	return nil
}

// findPuTTYPrivateKey masks the private lines of a PuTTY key file
// ("Private-Lines: N" and N lines of base64) and its MAC.
func findPuTTYPrivateKey(text string, pos int) [][2]int {
	const key = "private-lines:"
	if !strings.EqualFold(text[pos:min(len(text), pos+len(key))], key) {
		return nil
	}
	i := skipBlanks(text, pos+len(key))
	j := i
	for j < len(text) && '0' <= text[j] && text[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(text[i:j])
	if err != nil || n < 1 {
		return nil
	}
	n = min(n, 200)
	end := j
	for range n {
		if end >= len(text) || text[end] != '\n' && text[end] != '\r' {
			break
		}
		e := end
		for e < len(text) && (text[e] == '\n' || text[e] == '\r') {
			e++
		}
		b := e
		for b < len(text) && isBase64Byte(text[b]) {
			b++
		}
		if b == e {
			break
		}
		end = b
	}
	if end == j {
		return nil
	}
	start := strings.IndexByte(text[j:end], '\n') + j
	return [][2]int{{start + 1, end}}
}

// findTwilioAuthToken masks a 32-hex-digit token that follows a Twilio
// account SID (AC and 32 hex digits) and a comma or colon: Client("AC…",
// "token"), -u AC…:token. The SID itself is not a secret.
func findTwilioAuthToken(text string, pos int) [][2]int {
	if !strings.HasPrefix(text[pos:], "AC") || !wordAt(text, pos) {
		return nil
	}
	i := pos + 2
	if hexRun(text, i) != 32 {
		return nil
	}
	i += 32
	if i < len(text) && (text[i] == '"' || text[i] == '\'') {
		i++
	}
	i = skipBlanks(text, i)
	if i >= len(text) || text[i] != ',' && text[i] != ':' {
		return nil
	}
	i = skipBlanks(text, i+1)
	if i < len(text) && (text[i] == '"' || text[i] == '\'') {
		i++
	}
	if hexRun(text, i) != 32 {
		return nil
	}
	return [][2]int{{i, i + 32}}
}

// hexRun is the number of lower-case hex digits at text[i:], counting one
// past 32 at most.
func hexRun(text string, i int) int {
	n := 0
	for i+n < len(text) && n <= 32 {
		c := text[i+n]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			break
		}
		n++
	}
	return n
}

// findHtpasswd masks the password given to htpasswd -b: "htpasswd -b[c]
// FILE USER PASSWORD" or "htpasswd -nb USER PASSWORD".
func findHtpasswd(text string, pos int) [][2]int {
	if !wordAt(text, pos) || !strings.HasPrefix(text[pos:], "htpasswd") {
		return nil
	}
	fs := fieldsFrom(text, pos+len("htpasswd"), 12, false)
	var flags string
	var args []field
	for _, f := range fs {
		if strings.HasPrefix(f.s, "-") && len(args) == 0 {
			flags += f.s[1:]
			continue
		}
		args = append(args, f)
	}
	if !strings.Contains(flags, "b") {
		return nil
	}
	at := 2
	if strings.Contains(flags, "n") {
		at = 1
	}
	if len(args) <= at {
		return nil
	}
	f := args[at]
	n := acceptArgument(candidate{secret: f.s})
	if n == 0 {
		return nil
	}
	return [][2]int{{f.start, f.start + n}}
}

// proseKeys are the words before " is " that make a sentence an assignment:
// "the initial admin password is X", "our api key is X".
var proseKeys = []string{"password", "passwd", "passphrase", "api key", "apikey", "token", "secret"}

// findProseAssignment masks the value in "… password is X", "the api key
// is: X" when X looks like a credential: a password must mix letters with
// digits or symbols (so "is stored", "is wrong" stay), a token or key must
// look generated.
func findProseAssignment(text string, pos int) [][2]int {
	before := asciiLower(text[max(0, pos-16):pos])
	key := ""
	for _, k := range proseKeys {
		if strings.HasSuffix(before, k) {
			key = k
			break
		}
	}
	if key == "" {
		return nil
	}
	i := pos + len(" is ")
	if i < len(text) && text[i] == ':' {
		i++
	}
	i = skipBlanks(text, i)
	q := byte(0)
	if i < len(text) && (text[i] == '"' || text[i] == '\'' || text[i] == '`') {
		q = text[i]
		i++
	}
	e := i
	// The value ends at a quote, a blank or markup (HTML after prose:
	// "An empty password is valid.</p>").
	for e < len(text) && isUnquotedByte(text[e]) && (q == 0 || text[e] != q) && text[e] != '<' && text[e] != '>' {
		e++
	}
	v := strings.TrimRight(text[i:e], ".,:;)!?")
	if len(v) < 6 || plainWord.MatchString(v) || strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
		return nil
	}
	c := candidate{key: key, secret: v, after: text[i+len(v) : min(len(text), i+len(v)+64)]}
	n := acceptAssignment(c)
	if n == 0 {
		return nil
	}
	return [][2]int{{i, i + n}}
}

// dottedName reports whether v is a lower-case dotted name with a word in it
// (orders.created.v2, a RabbitMQ routing key), not a token such as kubeadm's
// 9a08jv.c0izixklcxtmnze7.
func dottedName(v string) bool {
	if !strings.Contains(v, ".") || strings.ToLower(v) != v {
		return false
	}
	word := false
	for _, part := range strings.Split(v, ".") {
		if part == "" {
			return false
		}
		if len(part) >= 3 && strings.Trim(part, "abcdefghijklmnopqrstuvwxyz") == "" {
			word = true
		}
	}
	return word
}

// sealedValue reports whether the value at pos is a child of an
// encryptedData: key in YAML, as in a Bitnami SealedSecret: it is encrypted
// for the cluster's controller and useless to anyone else.
func sealedValue(text string, pos int) bool {
	ls := strings.LastIndexByte(text[:pos], '\n') + 1
	indent := indentOf(text[ls:])
	for ls > 0 {
		ps := strings.LastIndexByte(text[:ls-1], '\n') + 1
		line := text[ps : ls-1]
		ls = ps
		if strings.TrimSpace(line) == "" {
			continue
		}
		if in := indentOf(line); in < indent {
			return strings.HasPrefix(strings.TrimSpace(line), "encryptedData:")
		}
	}
	return false
}

// indentOf is the number of leading spaces and dashes of a YAML line.
func indentOf(line string) int {
	n := 0
	for n < len(line) && (line[n] == ' ' || line[n] == '-') {
		n++
	}
	return n
}
