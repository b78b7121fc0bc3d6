package triage

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kobanhq/koban"
)

// DomainConfig is one problem domain of the taxonomy: the words that point
// at it and a few example inquiries that belong to it.
type DomainConfig struct {
	Name     koban.Domain `yaml:"name"`
	Keywords []string     `yaml:"keywords"` // matched at word starts in English, as substrings in Japanese
	Examples []string     `yaml:"examples"` // example questions; similar inquiries lean to this domain
}

// defaultDomains is the default taxonomy, in koban.DefaultDomains order.
func defaultDomains() []DomainConfig {
	return []DomainConfig{
		{
			Name: "computing",
			Keywords: []string{"pod", "node", "container", "kubelet", "cpu", "memory", "oom", "evict", "scheduler", "schedul", "taint", "toleration",
				"statefulset", "daemonset", "replicaset", "job", "cronjob", "autoscal", "hpa", "replica", "vm", "instance", "ec2", "compute",
				"volume", "persistentvolume", "pvc", "mount", "configmap", "init container", "sidecar", "workload", "resource limit", "requests and limits",
				"namespace", "openshift project", "cluster capacity", "pending",
				"ポッド", "ノード", "コンテナ", "メモリ", "スケジュール", "ボリューム", "インスタンス", "リソース"},
			Examples: []string{
				"My pods are stuck in Pending: 0/3 nodes are available, insufficient cpu.",
				"Container keeps getting OOMKilled even though the memory limit looks high enough.",
				"How do I mount a ConfigMap as a file into a container?",
				"Please create a new namespace for our team in the staging cluster.",
				"Podがスケジュールされず Pending のままです。どうすれば良いですか?",
			},
		},
		{
			Name: "network",
			Keywords: []string{"dns", "ingress", "egress", "service", "load balancer", "loadbalancer", "proxy", "kube-proxy", "network", "cidr", "vpc",
				"firewall", "port", "nodeport", "clusterip", "route", "routing", "subnet", "hostname", "domain name", "nslookup", "coredns", "kube-dns",
				"tls termination", "http", "connection refused", "timeout", "transit gateway", "peering", "vpn", "ip address", "networkpolicy", "network polic",
				"ネットワーク", "ドメイン", "ロードバランサ", "ファイアウォール", "名前解決", "通信", "ポート"},
			Examples: []string{
				"Service DNS name does not resolve from inside the pod.",
				"How do I expose my app on a custom domain through the ingress?",
				"Requests through the load balancer time out after 60 seconds.",
				"Please open the firewall from our VPC to the shared database subnet.",
				"Ingress 経由で接続できません。名前解決がおかしいようです。",
			},
		},
		{
			Name:     "messaging",
			Keywords: []string{"kafka", "rabbitmq", "amqp", "sqs", "sns", "pubsub", "pub/sub", "nats", "queue", "topic", "consumer", "producer", "message broker", "event bus", "メッセージ", "キュー", "トピック"},
			Examples: []string{
				"Our Kafka consumer group lags behind and never catches up.",
				"Please create an SQS queue and an SNS topic for our service.",
				"How do I connect to the shared RabbitMQ from my namespace?",
			},
		},
		{
			Name: "monitoring",
			Keywords: []string{"monitor", "metric", "prometheus", "grafana", "alert", "alertmanager", "dashboard", "probe", "liveness", "readiness",
				"health check", "healthcheck", "observability", "slo", "sli", "pagerduty", "datadog", "uptime", "working_set", "cadvisor",
				"監視", "メトリクス", "アラート", "ダッシュボード", "ヘルスチェック"},
			Examples: []string{
				"How do I send Prometheus alerts for my namespace to our Slack channel?",
				"My readiness probe fails although the app responds on /healthz.",
				"Grafana dashboard shows no data for my service metrics.",
				"アラートを Slack に通知するにはどうすれば良いですか?",
			},
		},
		{
			Name:     "logging",
			Keywords: []string{"log", "logging", "kubectl logs", "fluentd", "fluent-bit", "fluentbit", "elasticsearch", "kibana", "opensearch", "loki", "audit", "stdout", "rotation", "rotate", "ログ", "監査"},
			Examples: []string{
				"My application logs do not show up in Kibana.",
				"kubectl logs stops following after the log file is rotated.",
				"How long are container logs kept and where can I search them?",
				"ログが出力されません。",
			},
		},
		{
			Name: "ci-cd",
			Keywords: []string{"deploy", "rollout", "rollback", "pipeline", "build", "github actions", "jenkins", "argo", "argocd", "flux", "helm",
				"image", "registry", "docker", "pull", "push", "ci", "cd", "apply", "manifest", "yaml", "kustomize", "repo", "repository", "github", "release",
				"apiversion", "deployment", "デプロイ", "ビルド", "イメージ", "パイプライン", "リポジトリ", "リリース"},
			Examples: []string{
				"Our deployment pipeline cannot push the image to the registry.",
				"kubectl apply fails with no matches for kind Deployment in version extensions/v1beta1.",
				"How do I roll back a deployment to the previous revision?",
				"Please create a private GitHub repository for our team.",
				"デプロイが失敗します。イメージの pull でエラーになります。",
			},
		},
		{
			Name:     "database",
			Keywords: []string{"database", "db", "postgres", "postgresql", "mysql", "rds", "aurora", "redis", "mongodb", "mongo", "etcd", "sql", "replication", "backup", "restore", "snapshot", "schema", "migration", "データベース", "バックアップ", "リストア"},
			Examples: []string{
				"Please restore our RDS database from last night's snapshot.",
				"The major version upgrade of our Postgres instance fails.",
				"How do I take an etcd backup and restore it?",
				"データベースのバックアップからリストアする方法は?",
			},
		},
		{
			Name:     "object-storage",
			Keywords: []string{"s3", "bucket", "object storage", "blob", "gcs", "minio", "presigned", "バケット", "オブジェクトストレージ"},
			Examples: []string{
				"Please create an S3 bucket for our uploads.",
				"Access denied when my pod writes to the S3 bucket.",
				"How do I generate a presigned URL for a bucket object?",
			},
		},
		{
			Name:     "cdn",
			Keywords: []string{"cdn", "cloudfront", "fastly", "akamai", "cache invalidation", "edge", "static assets", "キャッシュ"},
			Examples: []string{
				"How do I invalidate the CloudFront cache after a release?",
				"Static assets are served stale from the CDN.",
			},
		},
		{
			Name:     "incident-response",
			Keywords: []string{"incident", "outage", "postmortem", "post-mortem", "on-call", "oncall", "sev1", "sev2", "severity", "notready", "not ready", "flapping", "expired", "down", "degraded", "障害", "インシデント", "復旧"},
			Examples: []string{
				"Production is down: all requests return 502 since 10:00.",
				"Nodes keep flapping between Ready and NotReady.",
				"Cluster certificates expired and nothing can connect to the API server.",
				"本番で障害が発生しています。サービスが落ちています。",
			},
		},
		{
			Name: "iam",
			Keywords: []string{"iam", "rbac", "role", "rolebinding", "clusterrole", "permission", "forbidden", "unauthorized", "access", "serviceaccount", "service account",
				"sso", "oidc", "saml", "keycloak", "realm", "login", "auth", "authentication", "authorization", "token", "credential", "secret", "certificate", "x509",
				"security", "securitycontext", "runasnonroot", "podsecurity", "pod security", "psp", "apparmor", "seccomp", "2fa", "mfa", "user access", "group",
				"権限", "認証", "認可", "ロール", "アクセス", "証明書", "ログイン", "セキュリティ"},
			Examples: []string{
				"Please grant me access to the production namespace.",
				"pods is forbidden: User system:serviceaccount:default cannot list resource pods.",
				"How do I create a role binding for my team?",
				"本番環境へのアクセス権限を付与してください。",
			},
		},
		{
			Name:     "data-platform",
			Keywords: []string{"spark", "airflow", "hadoop", "flink", "kafka connect", "data pipeline", "etl", "data warehouse", "bigquery", "redshift", "snowflake", "dbt", "jupyter", "notebook", "zookeeper", "データ基盤", "データパイプライン"},
			Examples: []string{
				"Our Airflow DAG cannot reach the data warehouse.",
				"How do I run a Spark job on the shared cluster?",
				"ZooKeeper ensemble does not form a quorum.",
			},
		},
		{
			Name: koban.DomainOther,
		},
	}
}

// domainMatcher scores domains by keywords.
type domainMatcher struct {
	names    []koban.Domain
	keywords [][]string // lower case
}

func newDomainMatcher(domains []DomainConfig) *domainMatcher {
	m := &domainMatcher{}
	for _, d := range domains {
		var ks []string
		for _, k := range d.Keywords {
			if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
				ks = append(ks, k)
			}
		}
		m.names = append(m.names, d.Name)
		m.keywords = append(m.keywords, ks)
	}
	return m
}

// match adds weight to each domain for every distinct keyword in text, and
// records the first keyword hit per domain for the reasons.
func (m *domainMatcher) match(text string, weight float64, scores map[koban.Domain]float64, hits map[koban.Domain]string) {
	text = strings.ToLower(truncateRunes(text, maxTextRunes))
	for i, ks := range m.keywords {
		n := 0
		for _, k := range ks {
			if containsWordStart(text, k) {
				n++
				if _, ok := hits[m.names[i]]; !ok && hits != nil {
					hits[m.names[i]] = k
				}
			}
		}
		if n > 0 {
			// Diminishing: the third keyword of a domain counts less than the first.
			scores[m.names[i]] += weight * (1 + 0.5*float64(n-1))
		}
	}
}

// containsWordStart reports whether k occurs in text at the start of a word,
// so "deploy" meets "deployment" but "cd" does not meet "abcd". Japanese
// keywords match anywhere: Japanese has no spaces between words.
func containsWordStart(text, k string) bool {
	if isCJK(firstRune(k)) {
		return strings.Contains(text, k)
	}
	for off := 0; ; {
		i := strings.Index(text[off:], k)
		if i < 0 {
			return false
		}
		i += off
		if i == 0 {
			return true
		}
		r, _ := utf8.DecodeLastRuneInString(text[:i])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return true
		}
		off = i + 1
	}
}
