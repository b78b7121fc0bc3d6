package triage

import (
	"testing"

	"github.com/kobanhq/koban"
)

func TestProbe(t *testing.T) {
	s := mustNew(t, DefaultConfig(), nil)
	for _, in := range []string{
		"Hi team, can we get a new Kafka topic for the orders service?",
		"Need write access to the terraform repo for our team",
		"Is there a doc on how to set up autoscaling for my service?",
		"Where can I find the grafana dashboards for my namespace?",
		"Jenkins is down again, nobody can build",
		"My pod is in CrashLoopBackOff, logs say permission denied on /data",
		"The onboarding tutorial still mentions the old VPN which no longer exists",
		"What's the max size of a Postgres instance we can get?",
		"Our certificate for api.example.com expires next week, can you renew it?",
		"deployments are failing since this morning with 503 from the registry",
		"Why does my CronJob run twice sometimes?",
		"How do I connect to the RDS database from my laptop?",
		"There is nothing in the docs about setting up a custom domain with TLS",
		"S3 bucket for uploads please, name acme-uploads-prod",
		"DBのバックアップ手順がドキュメントに載っていません",
		"Kafkaのトピックを作成してください",
		"CIのビルドが昨日から失敗しています。障害ですか?",
		"Helm chartのvaluesの書き方を教えてください",
		"thanks!",
		"ok that worked",
	} {
		got := mustTriage(t, s, in, koban.Answer{})
		t.Logf("%-40.40s %-38s %.2f %-12s %q", in, got.Label, got.Confidence, got.Domain, got.Reasons)
	}
}
