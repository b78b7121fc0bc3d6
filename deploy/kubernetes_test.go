package deploy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/util/intstr"
	kyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// manifestObject is one decoded object and the file it came from.
type manifestObject struct {
	file string
	obj  runtime.Object
}

// strictDecoder decodes YAML into the typed Kubernetes objects, failing on
// unknown and duplicate fields, as `kubectl apply --validate=strict` does.
func strictDecoder(t *testing.T) runtime.Decoder {
	t.Helper()
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	return kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme, kjson.SerializerOptions{Yaml: true, Strict: true})
}

// decodeManifests decodes every document of a manifest file strictly.
func decodeManifests(dec runtime.Decoder, file string, data []byte) ([]runtime.Object, error) {
	r := kyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objs []runtime.Object
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		obj, _, err := dec.Decode(doc, nil, nil)
		if err != nil {
			return nil, &docError{file: file, doc: i, err: err}
		}
		objs = append(objs, obj)
	}
}

type docError struct {
	file string
	doc  int
	err  error
}

func (e *docError) Error() string {
	return fmt.Sprintf("%s: document %d: %v", e.file, e.doc+1, e.err)
}

var commentLine = regexp.MustCompile(`(?m)^\s*#.*$`)

func stripComments(b []byte) []byte { return commentLine.ReplaceAll(b, nil) }

// loadAllManifests decodes every file under kubernetes/.
func loadAllManifests(t *testing.T) ([]manifestObject, map[string]string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("kubernetes", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/kubernetes: %v", err)
	}
	dec := strictDecoder(t)
	var out []manifestObject
	headers := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		headers[f] = string(data)
		objs, err := decodeManifests(dec, f, data)
		if err != nil {
			t.Fatalf("decode %v", err)
		}
		for _, o := range objs {
			out = append(out, manifestObject{file: f, obj: o})
		}
	}
	return out, headers
}

// TestManifestsDecodeStrictly decodes every manifest into the Kubernetes
// API types; a misspelt or misplaced field fails here.
func TestManifestsDecodeStrictly(t *testing.T) {
	objs, _ := loadAllManifests(t)
	kinds := map[string]int{}
	for _, o := range objs {
		kinds[o.obj.GetObjectKind().GroupVersionKind().Kind]++
	}
	for _, want := range []string{"Deployment", "StatefulSet", "Service", "PodDisruptionBudget", "ConfigMap"} {
		if kinds[want] == 0 {
			t.Errorf("deploy/kubernetes has no %s; kinds found: %v", want, kinds)
		}
	}
}

// TestStrictDecoderCatchesTypos makes sure the decoder used above would
// catch what it is there for.
func TestStrictDecoderCatchesTypos(t *testing.T) {
	dec := strictDecoder(t)
	tests := []struct{ name, doc string }{
		{"misspelt field", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 2\n"},
		{"field at the wrong level", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nselector: {app: x}\n"},
		{"duplicate field", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\ndata: {c: d}\n"},
		{"wrong type", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: two}\n"},
		{"unknown kind", "apiVersion: v1\nkind: Deploymnet\nmetadata: {name: x}\n"},
	}
	for _, tt := range tests {
		if _, err := decodeManifests(dec, "test.yaml", []byte(tt.doc)); err == nil {
			t.Errorf("%s: decoded without error:\n%s", tt.name, tt.doc)
		}
	}
	if objs, err := decodeManifests(dec, "ok.yaml", []byte("# c\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")); err != nil || len(objs) != 1 {
		t.Errorf("a valid ConfigMap after a comment-only document: %d objects, %v", len(objs), err)
	}
}

// TestManifestsHangTogether checks what strict decoding cannot: selectors
// that select the pods, probes on ports that exist, volumes and secrets
// that are defined or created by the commands in the file's header.
func TestManifestsHangTogether(t *testing.T) {
	objs, headers := loadAllManifests(t)
	type workload struct {
		file     string
		name     string
		replicas int32
		tmpl     corev1.PodTemplateSpec
		claims   []string // volume claim templates' names (StatefulSet)
	}
	var workloads []workload
	configMaps := map[string]bool{}
	for _, o := range objs {
		switch v := o.obj.(type) {
		case *appsv1.Deployment:
			workloads = append(workloads, workload{o.file, v.Name, deref(v.Spec.Replicas), v.Spec.Template, nil})
			checkSelector(t, o.file, "Deployment "+v.Name, v.Spec.Selector, v.Spec.Template.Labels)
		case *appsv1.StatefulSet:
			var claims []string
			for _, c := range v.Spec.VolumeClaimTemplates {
				claims = append(claims, c.Name)
			}
			workloads = append(workloads, workload{o.file, v.Name, deref(v.Spec.Replicas), v.Spec.Template, claims})
			checkSelector(t, o.file, "StatefulSet "+v.Name, v.Spec.Selector, v.Spec.Template.Labels)
		case *corev1.ConfigMap:
			configMaps[v.Name] = true
		}
	}
	selects := func(sel map[string]string) []workload {
		var ws []workload
		for _, w := range workloads {
			if len(sel) > 0 && labels.SelectorFromSet(sel).Matches(labels.Set(w.tmpl.Labels)) {
				ws = append(ws, w)
			}
		}
		return ws
	}
	for _, o := range objs {
		switch v := o.obj.(type) {
		case *corev1.Service:
			ws := selects(v.Spec.Selector)
			if len(ws) == 0 {
				t.Errorf("%s: Service %s selects no pods (selector %v)", o.file, v.Name, v.Spec.Selector)
			}
			for _, p := range v.Spec.Ports {
				for _, w := range ws {
					if !hasPort(w.tmpl.Spec, p.TargetPort) {
						t.Errorf("%s: Service %s targets port %s, which %s does not expose", o.file, v.Name, p.TargetPort.String(), w.name)
					}
				}
			}
		case *policyv1.PodDisruptionBudget:
			sel, err := metav1.LabelSelectorAsMap(v.Spec.Selector)
			if err != nil {
				t.Fatal(err)
			}
			ws := selects(sel)
			if len(ws) == 0 {
				t.Errorf("%s: PodDisruptionBudget %s selects no pods", o.file, v.Name)
			}
			for _, w := range ws {
				if v.Spec.MinAvailable != nil && int32(v.Spec.MinAvailable.IntValue()) >= w.replicas {
					t.Errorf("%s: PodDisruptionBudget %s keeps %d of %d replicas of %s available: no node could ever be drained", o.file, v.Name, v.Spec.MinAvailable.IntValue(), w.replicas, w.name)
				}
			}
		}
	}

	var koban *workload
	for i, w := range workloads {
		if w.name == "koban" {
			koban = &workloads[i]
		}
		checkPodSpec(t, w.file, w.name, w.tmpl.Spec, w.claims, configMaps, headers[w.file])
	}
	if koban == nil {
		t.Fatal("no koban Deployment")
	}
	if koban.replicas < 2 {
		t.Errorf("koban runs %d replicas, want at least 2", koban.replicas)
	}
	var main *corev1.Container
	for i, c := range koban.tmpl.Spec.Containers {
		if c.Name == "koban" {
			main = &koban.tmpl.Spec.Containers[i]
		}
	}
	if main == nil {
		t.Fatal("the koban Deployment has no koban container")
	}
	for name, p := range map[string]*corev1.Probe{"startup": main.StartupProbe, "readiness": main.ReadinessProbe, "liveness": main.LivenessProbe} {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("koban container has no HTTP %s probe", name)
		}
	}
	if p := main.ReadinessProbe; p != nil && p.HTTPGet != nil && p.HTTPGet.Path != "/readyz" {
		t.Errorf("readiness probe asks %s, want /readyz", p.HTTPGet.Path)
	}
	var migrates bool
	for _, c := range koban.tmpl.Spec.InitContainers {
		if len(c.Args) > 0 && c.Args[len(c.Args)-1] == "migrate" {
			migrates = true
		}
	}
	if !migrates {
		t.Error("the koban Deployment has no init container running koban migrate")
	}
}

func deref(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

func checkSelector(t *testing.T, file, what string, sel *metav1.LabelSelector, podLabels map[string]string) {
	t.Helper()
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil || s.Empty() || !s.Matches(labels.Set(podLabels)) {
		t.Errorf("%s: %s selector %v does not select its own pods (labels %v): %v", file, what, sel, podLabels, err)
	}
}

func hasPort(spec corev1.PodSpec, port intstr.IntOrString) bool {
	for _, c := range spec.Containers {
		for _, p := range c.Ports {
			if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
				return true
			}
		}
	}
	return false
}

// checkPodSpec checks a pod's volumes, probe ports and the secrets and
// config maps it reads: each defined in the manifests or created by a
// command in the file's header comment.
func checkPodSpec(t *testing.T, file, name string, spec corev1.PodSpec, claims []string, configMaps map[string]bool, header string) {
	t.Helper()
	volumes := map[string]bool{}
	for _, c := range claims {
		volumes[c] = true
	}
	for _, v := range spec.Volumes {
		volumes[v.Name] = true
		if v.ConfigMap != nil && !configMaps[v.ConfigMap.Name] && !strings.Contains(header, "create configmap "+v.ConfigMap.Name) {
			t.Errorf("%s: %s mounts ConfigMap %s, which nothing defines or creates", file, name, v.ConfigMap.Name)
		}
	}
	secret := func(s string) {
		if !strings.Contains(header, "create secret generic "+s+" ") {
			t.Errorf("%s: %s reads Secret %s, but the header does not say how to create it", file, name, s)
		}
	}
	all := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
	for _, c := range all {
		for _, m := range c.VolumeMounts {
			if !volumes[m.Name] {
				t.Errorf("%s: %s container %s mounts volume %s, which the pod does not have", file, name, c.Name, m.Name)
			}
		}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil {
				secret(e.SecretRef.Name)
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				secret(e.ValueFrom.SecretKeyRef.Name)
			}
		}
		for _, p := range []*corev1.Probe{c.StartupProbe, c.ReadinessProbe, c.LivenessProbe} {
			if p != nil && p.HTTPGet != nil && !hasPort(corev1.PodSpec{Containers: []corev1.Container{c}}, p.HTTPGet.Port) {
				t.Errorf("%s: %s container %s probes port %s, which it does not expose", file, name, c.Name, p.HTTPGet.Port.String())
			}
		}
		if c.Image == "" || strings.HasSuffix(c.Image, ":") {
			t.Errorf("%s: %s container %s has no image", file, name, c.Name)
		}
	}
}
