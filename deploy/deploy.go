// Package deploy holds koban's deployment files: the container image
// (Dockerfile), deploy/compose.yaml for one machine, the Kubernetes
// manifests, the Slack app manifests and an example koban.yaml. It has no
// code; its tests decode every manifest strictly into the Kubernetes API
// types and parse the compose file, so that a typo fails CI rather than a
// rollout. The Kubernetes modules they need stay out of the koban binary.
package deploy
