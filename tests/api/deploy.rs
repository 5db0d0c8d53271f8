//! The deployment files cannot be run here (no container engine), so they are kept
//! honest by reading: every YAML file parses, and the settings they rely on agree with
//! the server's.

use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

fn yaml_files(directory: &Path, found: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(directory)
        .unwrap_or_else(|error| panic!("{}: {error}", directory.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, found);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "yaml" || extension == "yml")
        {
            found.push(path);
        }
    }
}

fn load(path: &Path) -> Vec<Yaml> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    YamlLoader::load_from_str(&text)
        .unwrap_or_else(|error| panic!("{} does not parse: {error}", path.display()))
}

#[test]
fn every_yaml_file_parses() {
    let mut files = Vec::new();
    yaml_files(&deploy_dir(), &mut files);
    assert!(files.len() >= 7, "expected compose and Kubernetes files, found {files:?}");
    for file in files {
        let documents = load(&file);
        assert!(!documents.is_empty(), "{} is empty", file.display());
    }
}

#[test]
fn kubernetes_grace_period_outlasts_the_server_shutdown_grace() {
    let deployment = load(&deploy_dir().join("k8s/deployment.yaml"));
    let pod = &deployment[0]["spec"]["template"]["spec"];
    let termination = pod["terminationGracePeriodSeconds"].as_i64().unwrap_or_default();
    let configmap = load(&deploy_dir().join("k8s/configmap.yaml"));
    let grace = configmap[0]["data"]["WAYMARK_SHUTDOWN_GRACE"].as_str().unwrap_or_default();
    let grace: waymark::duration::HumanDuration =
        grace.parse().unwrap_or_else(|error| panic!("{error}"));
    let grace = i64::try_from(grace.0.as_secs()).unwrap_or(i64::MAX);
    assert!(grace > 0);
    assert!(
        termination > grace,
        "terminationGracePeriodSeconds {termination} must exceed WAYMARK_SHUTDOWN_GRACE {grace}"
    );

    let container = &pod["containers"][0];
    assert_eq!(container["readinessProbe"]["httpGet"]["path"].as_str(), Some("/health/ready"));
    assert_eq!(container["livenessProbe"]["httpGet"]["path"].as_str(), Some("/health/live"));
    assert!(!container["resources"]["requests"].is_badvalue());
    assert!(!container["resources"]["limits"].is_badvalue());
}

#[test]
fn dockerfile_runs_as_non_root_with_a_health_check() {
    let dockerfile = std::fs::read_to_string(deploy_dir().join("Dockerfile")).unwrap_or_default();
    assert!(dockerfile.contains("HEALTHCHECK"));
    let health_check = dockerfile
        .split("\nHEALTHCHECK ")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_default();
    assert!(
        health_check.contains("${WAYMARK_BIND##*:}"),
        "the health check must probe the port WAYMARK_BIND names, not a fixed one: {health_check}"
    );
    assert!(dockerfile.lines().any(|line| line.starts_with("USER ") && !line.contains("root")));
    assert!(dockerfile.matches("FROM ").count() >= 2, "the Dockerfile must be multi-stage");
}

#[test]
fn kubernetes_scrapes_metrics_on_their_own_port_which_the_service_does_not_expose() {
    let configmap = load(&deploy_dir().join("k8s/configmap.yaml"));
    let bind: std::net::SocketAddr = configmap[0]["data"]["WAYMARK_METRICS_BIND"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .unwrap_or_else(|error| panic!("WAYMARK_METRICS_BIND: {error}"));
    let port = i64::from(bind.port());

    let deployment = load(&deploy_dir().join("k8s/deployment.yaml"));
    let template = &deployment[0]["spec"]["template"];
    assert_eq!(
        template["metadata"]["annotations"]["prometheus.io/port"].as_str(),
        Some(port.to_string().as_str())
    );
    let ports = template["spec"]["containers"][0]["ports"].as_vec().unwrap();
    assert!(ports.iter().any(|entry| entry["name"].as_str() == Some("metrics")
        && entry["containerPort"].as_i64() == Some(port)));

    let service = load(&deploy_dir().join("k8s/service.yaml"));
    let exposed = service[0]["spec"]["ports"].as_vec().unwrap();
    assert!(
        exposed.iter().all(|entry| entry["targetPort"].as_str() != Some("metrics")
            && entry["targetPort"].as_i64() != Some(port)),
        "the Service must not expose the metrics port"
    );
}
