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
	idPrivateKey       = "private-key"    // the same ID as gitleaks' rule
	idCurlUser         = "curl-auth-user" // the same ID as gitleaks' rule
	idNetrcPassword    = "netrc-password"
	idGCPClientSecret  = "gcp-client-secret"
)

// shellWord is an unquoted command-line argument: it does not start with -
// (the next flag) and stops at the shell's operators.
const shellWord = `[^\s"'<>&;|-][^\s"'<>&;|]*`

// unquotedValue is an unquoted value, as isUnquotedByte.
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
	pre      func(text string, pos int) bool
	accept   func(c candidate) int
}

func kobanRuleDefs() []kobanRuleDef {
	return []kobanRuleDef{
		{
			// パスワードは x です, トークン：x
			id:       idSecretAssignment,
			pattern:  `(パスワード|暗証番号|パスフレーズ|トークン|シークレット|アクセスキー|(?i:api) ?キー|秘密鍵)[ \t　]*(?:は|が|:|：|=|＝)[ \t　]*(?:「([^」\n]+)」|"([^"\n]+)"|(` + unquotedValue + `+))`,
			keywords: []string{"パスワード", "暗証番号", "パスフレーズ", "トークン", "シークレット", "アクセスキー", "apiキー", "api キー", "秘密鍵"},
			keyGroup: 1,
			generic:  true,
			anchored: true,
			pre:      japaneseSeparatorFollows,
			accept:   acceptJapaneseAssignment,
		},
		{
			// postgres://user:pass@host, redis://:pass@host, https://user:token@github.com
			id: idURLPassword,
			// The password may hold a / (generated ones do, unencoded).
			pattern:  `(?i)\b[a-z][a-z0-9+.-]{1,30}://[^\s:/?#@"'<>]*:([^\s@"'<>]+)@`,
			keywords: []string{"://"},
			group:    1,
			generic:  true,
			accept:   acceptURLPassword,
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
			pattern:  `(?i)\b(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?(?:[A-Za-z][A-Za-z0-9_-]{1,24}[ \t]+)?([^\s"'\x60<>]{8,})`,
			keywords: []string{"authorization"},
			group:    1,
			generic:  true,
			accept:   acceptToken,
		},
		{
			id:       idAuthorization,
			pattern:  `(?i)\bbearer[ \t]+([A-Za-z0-9._~+/=-]{16,})`,
			keywords: []string{"bearer"},
			group:    1,
			generic:  true,
			accept:   acceptToken,
		},
		{
			id:       idKubeconfigKey,
			pattern:  `(?i)\bclient-key-data["']?[ \t]*:[ \t]*["']?([A-Za-z0-9+/=]{16,})`,
			keywords: []string{"client-key-data"},
			group:    1,
		},
		{
			id: idAWSSecretKey,
			// aws_secret_access_key = x, AWS_SECRET_ACCESS_KEY: x, and
			// aws configure set aws_secret_access_key x.
			pattern:  `(?i)aws_?secret(?:_?access)?_?key["']?(?:[ \t]*[:=][ \t]*|[ \t]+)["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)`,
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
			// Google OAuth client secrets.
			id:       idGCPClientSecret,
			pattern:  `\bGOCSPX-[A-Za-z0-9_-]{28}`,
			keywords: []string{"gocspx-"},
		},
		{
			// curl -u user:password; gitleaks' rule wants a password
			// of word characters only.
			id:       idCurlUser,
			pattern:  `\b(?:curl|wget)\b[^\n|;&]*?[ \t](?:-u|--user|--http-user)(?:=|[ \t]+)["']?[^\s:"']+:("[^"\n]+"|'[^'\n]+'|` + shellWord + `)`,
			keywords: []string{"curl", "wget"},
			group:    1,
			accept:   acceptArgument,
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
			pattern:  `\b(?i:mysql\w*|mariadb\w*)\b[^\n|;&]*?[ \t]-p("[^"\n]+"|'[^'\n]+'|` + shellWord + `)`,
			keywords: []string{"mysql", "mariadb"},
			group:    1,
			accept:   acceptArgument,
		},
		{
			// docker login -u ci -p SECRET, sshpass -p SECRET, twine upload -p
			id:       idPasswordFlag,
			pattern:  `\b(?:login|sshpass|upload)\b[^\n|;&]*?[ \t](?:-p|--password|--pass)(?:[ \t]+|=)("[^"\n]+"|'[^'\n]+'|` + shellWord + `)`,
			keywords: []string{"login", "sshpass", "upload"},
			group:    1,
			accept:   acceptArgument,
		},
		{
			// --token abc, --api-key abc (the = form is a secret-assignment)
			id:       idPasswordFlag,
			pattern:  `(?i)(--(?:[a-z0-9]+-)*(?:password|passwd|token|secret|api-?key|access-key|secret-key))[ \t]+("[^"\n]+"|'[^'\n]+'|` + shellWord + `)`,
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
	for _, d := range append(kobanRuleDefs(), moreRuleDefs()...) {
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
			keywords: kws, generic: d.generic, anchored: d.anchored, pre: d.pre, accept: d.accept,
		})
	}
	rules = append(rules,
		&rule{id: idSecretAssignment, keywords: []string{"pass", "pwd", "secret", "token", "key", "auth", "credential"}, find: findAssignment, generic: true},
		&rule{id: idPrivateKey, keywords: []string{"-----begin"}, find: findPrivateKey},
		&rule{id: idPrivateKey, keywords: []string{asciiLower(base64PEMBegin)}, find: findEncodedPrivateKey},
	)
	rules = append(rules, moreFindRules()...)
	return rules, nil
}

// base64PEMBegin is "-----BEGIN " in base64, as every base64-encoded PEM block
