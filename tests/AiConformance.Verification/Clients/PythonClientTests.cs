using NUnit.Framework;

namespace AiConformance.Verification.Clients;

/// <summary>
/// Debian's official Python client (<c>python3-kubernetes</c>) against the simulated cluster: create, list, a watch
/// from a resourceVersion (it sends <c>watch=True</c>), and exec with its exit code. Skipped where it is not installed.
/// </summary>
public sealed class PythonClientTests : RealClientFixture
{
    // Debian's interpreter: the package installs for it, not for a python3 earlier on PATH.
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys
        from kubernetes import client, config, watch
        from kubernetes.stream import stream

        config.load_kube_config(config_file=sys.argv[1])
        v1 = client.CoreV1Api()
        ns, pod = sys.argv[2], sys.argv[3]
        v1.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py", labels={"made-by": "client-test"}), data={"k": "1"}))
        # The namespace's kube-root-ca.crt is not this test's: select by label.
        listed = v1.list_namespaced_config_map(ns, label_selector="made-by=client-test")
        print("listed", ",".join(sorted(i.metadata.name for i in listed.items)))
        v1.patch_namespaced_config_map("py", ns, {"data": {"k": "2"}})
        w = watch.Watch()
        for event in w.stream(v1.list_namespaced_config_map, ns, resource_version=listed.metadata.resource_version,
                                  label_selector="made-by=client-test", timeout_seconds=60):
            print("event", event["type"], event["object"].metadata.name, event["object"].data["k"])
            w.stop()
        resp = stream(v1.connect_get_namespaced_pod_exec, pod, ns, command=["sh", "-c", "echo from-exec; exit 5"],
                      stdout=True, stderr=True, stdin=False, tty=False, _preload_content=False)
        resp.run_forever(timeout=60)
        print("exec", resp.read_stdout().strip() if resp.peek_stdout() else "", resp.returncode)
        """;

    [OneTimeSetUp]
    public async Task RequireThePythonClient()
    {
        if (ClientProcess.Find(Python) is null) Assert.Ignore($"{Python} is not installed; the Python client tests need Debian's python3-kubernetes");
        var probe = await ClientProcess.RunAsync(Python, ["-c", "import kubernetes"]);
        if (probe.Code != 0) Assert.Ignore("Debian's python3-kubernetes is not installed (apt-get install python3-kubernetes); skipping the Python client tests");
    }

    [Test]
    public async Task CreateListWatchFromAVersionAndExec()
    {
        var (ns, pod) = await RunningPodAsync();
        var script = Path.Combine(WorkDirectory, "client.py");
        await File.WriteAllTextAsync(script, Script);
        var (code, output, errors) = await ClientProcess.RunAsync(Python, [script, Kubeconfig, ns, pod]);
        Assert.That(code, Is.Zero, errors);
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "listed py",
            "event MODIFIED py 2",
            "exec from-exec 5",
        }), errors);
    }
}
