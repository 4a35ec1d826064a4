using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Network;
using AiConformance.Workloads.Serving;
using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// The pod network, seen as workloads see it: the plugin's serving roles run as their real code in simulated pods,
/// the load role's real HTTP client reaches them through cluster DNS, ClusterIPs and EndpointSlices, and only ready
/// pods that exist answer.
/// </summary>
public sealed class PodNetworkTests : SimulatedClusterFixture
{
    private const string PluginImage = "registry.example/ai-conformance:test";
    private const string Model = "sim/tiny";

    protected override string ScenarioYaml => """
        name: pod-network-tests
        kubernetesVersion: v1.35
        nodes:
          - name: worker
            count: 2
        programs:
          - image: "*gpu-exporter*"
            runsFor: null
            serves:
              - port: 9400
                path: /metrics
                headers: {Content-Type: "text/plain; version=0.0.4", X-Exporter: modelled}
                body: "gpu_up 1\n"
        """;

    [Test]
    public async Task ADeploymentOfServeEchoBehindAServiceAnswersALoadJobFromEveryReadyPodOnly()
    {
        var ns = await NewNamespaceAsync();
        await DeployEchoAsync(ns, replicas: 3);

        var summary = await RunLoadAsync(ns, "load", "--url", "http://echo/", "--requests", "90", "--concurrency", "3", "--disable-keepalive");

        var ready = await EchoPodsAsync(ns);
        Assert.Multiple(() =>
        {
            Assert.That((int?)summary["ok"], Is.EqualTo(90), summary.ToJsonString());
            Assert.That(PodsThatAnswered(summary), Is.EquivalentTo(ready), "every ready pod answers, and only they");
            Assert.That(PodsThatAnswered(summary), Does.Not.Contain("echo-unready"), "a pod that is not ready gets no traffic");
        });
        // The unready pod does serve: it gets nothing only because its endpoint is not ready.
        var direct = await GetAsync(ns, $"http://{await PodIpAsync(ns, "echo-unready")}:8080/");
        Assert.That((string?)JsonNode.Parse(direct)!["pod"], Is.EqualTo("echo-unready"));
    }

    [Test]
    public async Task ScalingTheDeploymentChangesWhoAnswersAndDeletedPodsStopAnswering()
    {
        var ns = await NewNamespaceAsync();
        await DeployEchoAsync(ns, replicas: 3);
        var before = await EchoPodsAsync(ns);
        var addresses = new Dictionary<string, string>();
        foreach (var pod in before) addresses[pod] = await PodIpAsync(ns, pod);

        await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":1}}", V1Patch.PatchType.MergePatch), "echo", ns,
            cancellationToken: Timeout);
        var slices = await EndpointSlicesUntilAsync(ns, "echo",
            s => s.Sum(slice => slice.Endpoints?.Count ?? 0) == 2, "the echo Service down to the kept pod and the unready one");
        var kept = slices.SelectMany(s => s.Endpoints).Where(e => e.Conditions.Ready == true).Select(e => e.TargetRef.Name).ToList();
        var summary = await RunLoadAsync(ns, "load-after", "--url", $"http://echo.{ns}/", "--requests", "30", "--disable-keepalive");

        Assert.Multiple(() =>
        {
            Assert.That(kept, Has.Count.EqualTo(1).And.SubsetOf(before));
            Assert.That(PodsThatAnswered(summary), Is.EqualTo(kept), "only the pod that is left answers");
        });
        foreach (var gone in before.Except(kept))
        {
            var refused = Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(ns, $"http://{addresses[gone]}:8080/"))!;
            Assert.That(SocketError(refused), Is.EqualTo(System.Net.Sockets.SocketError.HostUnreachable), $"the address of deleted pod {gone}");
        }
    }

    [Test]
    public async Task AKeptAliveConnectionStaysWithOnePod()
    {
        var ns = await NewNamespaceAsync();
        await DeployEchoAsync(ns, replicas: 3);
        // kube-proxy balances connections: without --disable-keepalive the one connection goes to one pod.
        var summary = await RunLoadAsync(ns, "load", "--url", "http://echo/", "--requests", "20");
        Assert.That(PodsThatAnswered(summary), Has.Count.EqualTo(1), summary.ToJsonString());
    }

    [Test]
    public async Task ServeModelMetricsCountTheRequestsLoadSent()
    {
        var ns = await NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "model", Labels = new Dictionary<string, string> { ["app"] = "model" } },
            Spec = new V1PodSpec { Containers = [Role("server", 8000, "/health", "serve-model", "--model", Model, "--port", "8000")] },
        }, ns, cancellationToken: Timeout);
        await CreateServiceAsync(ns, "model", "app", "model", port: 8000, targetPort: 8000);
        await ReadyEndpointsAsync(ns, "model", 1);
        Assert.That(SuccessCount(await GetAsync(ns, "http://model:8000/metrics")), Is.Zero, "no request yet");

        var summary = await RunLoadAsync(ns, "load", "--url", $"http://model.{ns}.svc.cluster.local:8000/v1/completions", "--method", "POST",
            "--body", $"{{\"model\":\"{Model}\",\"prompt\":\"hello cluster\",\"max_tokens\":4}}", "--requests", "12", "--concurrency", "2");

        var metrics = await GetAsync(ns, "http://model:8000/metrics");
        Assert.Multiple(() =>
        {
            Assert.That((int?)summary["ok"], Is.EqualTo(12), summary.ToJsonString());
            Assert.That(SuccessCount(metrics), Is.EqualTo(12), metrics);
            Assert.That(metrics, Does.Contain("vllm:generation_tokens_total{model_name=\"sim/tiny\"} 48.0"));
        });
    }

    [Test]
    public async Task APortNobodyListensOnRefusesTheConnection()
    {
        var ns = await NewNamespaceAsync();
        await DeployEchoAsync(ns, replicas: 1);
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "silent", Labels = new Dictionary<string, string> { ["app"] = "silent" } },
            Spec = new V1PodSpec { Containers = [Container("main", "busybox:1.36", "sleep", "3600")] },
        }, ns, cancellationToken: Timeout);
        await CreateServiceAsync(ns, "silent", "app", "silent", port: 80, targetPort: 8080);
        await ReadyEndpointsAsync(ns, "silent", 1);

        var noListener = Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(ns, "http://silent/"))!;
        var noSuchPort = Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(ns, "http://echo:81/"))!;
        var noSuchName = Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(ns, "http://nobody-here/"))!;
        Assert.Multiple(async () =>
        {
            Assert.That(SocketError(noListener), Is.EqualTo(System.Net.Sockets.SocketError.ConnectionRefused), "a ready pod that does not listen");
            Assert.That(SocketError(noSuchPort), Is.EqualTo(System.Net.Sockets.SocketError.ConnectionRefused), "a port the Service does not have");
            Assert.That(SocketError(noSuchName), Is.EqualTo(System.Net.Sockets.SocketError.HostNotFound));
            Assert.That(await GetAsync(ns, "http://echo/"), Does.Contain("\"pod\""), "the same client reaches a listening Service");
        });
    }

    [Test]
    public async Task AHeadlessServiceResolvesToItsReadyPods()
    {
        var ns = await NewNamespaceAsync();
        await DeployEchoAsync(ns, replicas: 2);
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "echo-pods" },
            Spec = new V1ServiceSpec
            {
                ClusterIP = "None",
                Selector = new Dictionary<string, string> { ["app"] = "echo" },
                Ports = [new V1ServicePort { Name = "http", Port = 8080 }],
            },
        }, ns, cancellationToken: Timeout);
        await ReadyEndpointsAsync(ns, "echo-pods", 2);
        var readyAddresses = new List<string>();
        foreach (var pod in await EchoPodsAsync(ns)) readyAddresses.Add(await PodIpAsync(ns, pod));

        var answer = JsonNode.Parse(await GetAsync(ns, "http://echo-pods:8080/"))!;
        Assert.Multiple(async () =>
        {
            Assert.That(Host.Cluster.Network.Dns.Resolve("echo-pods", ns), Is.EquivalentTo(readyAddresses));
            Assert.That(Host.Cluster.Network.Dns.Resolve($"echo-pods.{ns}.svc.cluster.local", null), Is.EquivalentTo(readyAddresses));
            Assert.That(Host.Cluster.Network.Dns.Resolve("echo-pods", ns), Does.Not.Contain(await PodIpAsync(ns, "echo-unready")));
            Assert.That((string?)answer["pod"], Is.AnyOf((await EchoPodsAsync(ns)).ToArray<object>()));
        });
    }

    [Test]
    public async Task AReadinessProbeIsRunThroughTheNetworkAndFailsOnAPortNobodyListensOn()
    {
        var ns = await NewNamespaceAsync();
        var wrongPort = Role("echo", 8080, "/healthz", "serve-echo");
        wrongPort.ReadinessProbe.HttpGet.Port = 9090;
        foreach (var (name, container) in new[] { ("wrong-port", wrongPort), ("right-port", Role("echo", 8080, "/healthz", "serve-echo")) })
            await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = name }, Spec = new V1PodSpec { Containers = [container] } },
                ns, cancellationToken: Timeout);

        var failures = await Watching.UntilAsync<Corev1Event, Corev1EventList>(
            token => Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=wrong-port,reason=Unhealthy", cancellationToken: token),
            (version, token) => Client.CoreV1.WatchListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=wrong-port,reason=Unhealthy",
                resourceVersion: version, cancellationToken: token),
            events => events.Count > 0, "the kubelet reports the failed probe");
        var ready = await ReadyAsync(ns, "right-port");
        var unready = await Client.CoreV1.ReadNamespacedPodAsync("wrong-port", ns, cancellationToken: Timeout);
        Assert.Multiple(() =>
        {
            Assert.That(failures.Single().Message, Does.StartWith($"Readiness probe failed: Get \"http://{unready.Status.PodIP}:9090/healthz\": dial tcp")
                .And.EndWith("connect: connection refused"));
            Assert.That(failures.Single().Type, Is.EqualTo("Warning"));
            Assert.That(unready.Status.ContainerStatuses.Single().State.Running, Is.Not.Null);
            Assert.That(unready.Status.Conditions.Single(c => c.Type == "Ready").Status, Is.EqualTo("False"));
            Assert.That(ready.Status.ContainerStatuses.Single().Ready, Is.True, "the same server probed on its own port");
        });
    }

    [Test]
    public async Task ReadinessTurnsOnlyAfterTheProbesThresholdOfResultsInARow()
    {
        var ns = await NewNamespaceAsync();
        // A long timeout: on a busy machine a slow answer must not count as a failure of its own.
        var running = await ProbedPodAsync(ns, "probed", new V1Probe { PeriodSeconds = 1, TimeoutSeconds = 30, FailureThreshold = 3, SuccessThreshold = 2 });
        var healthy = true;
        // Each answer notes whether it was healthy and what readiness the kubelet reported before this probe.
        var answers = new System.Collections.Concurrent.ConcurrentQueue<(bool Healthy, bool ReadyBefore)>();
        await using var server = Host.Cluster.Network.Serve(Host.Cluster.Network.Sandbox(running.Metadata.Uid)!, 8080, (_, _) =>
        {
            var answersHealthy = Volatile.Read(ref healthy);
            answers.Enqueue((answersHealthy, Host.Cluster.Store.Get(Kinds.Pod, ns, "probed")?.IsReady() == true));
            return Task.FromResult(RoleResponse.Json(answersHealthy ? 200 : 500, "{}"));
        });

        await ReadyAsync(ns, "probed");
        Volatile.Write(ref healthy, false);
        await PodEventuallyAsync(ns, "probed", p => p.Status.Conditions.Single(c => c.Type == "Ready").Status == "False", "unready");
        Volatile.Write(ref healthy, true);
        await ReadyAsync(ns, "probed");
        var failing = answers.SkipWhile(a => a.Healthy).TakeWhile(a => !a.Healthy).Select(a => a.ReadyBefore).Take(3).ToList();
        var recovering = answers.SkipWhile(a => a.Healthy).SkipWhile(a => !a.Healthy).Select(a => a.ReadyBefore).Take(2).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(failing, Is.EqualTo(new[] { true, true, true }), "ready until the third failure in a row");
            Assert.That(recovering, Is.EqualTo(new[] { false, false }), "unready until the second success in a row");
        });
    }

    [Test]
    public async Task AProbeThatHangsHoldsBackNoOtherPodsReadiness()
    {
        var ns = await NewNamespaceAsync();
        var hangs = await ProbedPodAsync(ns, "hangs", new V1Probe { PeriodSeconds = 1, TimeoutSeconds = 60 });
        var probeArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hanging = Host.Cluster.Network.Serve(Host.Cluster.Network.Sandbox(hangs.Metadata.Uid)!, 8080, async (_, _) =>
        {
            probeArrived.TrySetResult();
            await release.Task;
            return RoleResponse.Json(200, "{}");
        });
        try
        {
            await probeArrived.Task.WaitAsync(Timeout);
            var answers = await ProbedPodAsync(ns, "answers", new V1Probe { PeriodSeconds = 1, TimeoutSeconds = 30 });
            await using var answering = Host.Cluster.Network.Serve(Host.Cluster.Network.Sandbox(answers.Metadata.Uid)!, 8080,
                (_, _) => Task.FromResult(RoleResponse.Json(200, "{}")));
            await ReadyAsync(ns, "answers");
            var hung = await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=hangs", cancellationToken: Timeout);
            Assert.That(hung.Items.Select(e => e.Message), Has.None.Contains("context deadline exceeded"),
                "the other pod turned Ready while the first pod's probe was still waiting for its answer");
        }
        finally
        {
            release.TrySetResult();
        }
    }

    /// <summary>A running pod whose readiness <paramref name="probe"/> asks for <c>/healthz</c> on port 8080.</summary>
    private async Task<V1Pod> ProbedPodAsync(string ns, string name, V1Probe probe)
    {
        var container = Container("main", "busybox:1.36", "sleep", "3600");
        probe.HttpGet = new V1HTTPGetAction { Port = 8080, Path = "/healthz" };
        container.ReadinessProbe = probe;
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = name }, Spec = new V1PodSpec { Containers = [container] } },
            ns, cancellationToken: Timeout);
        return await PodEventuallyAsync(ns, name, p => p.Status?.Phase == "Running", "Running");
    }

    [Test]
    public async Task ADeletedPodIsGoneFromTheApiOnlyOnceItsServerNoLongerAnswers()
    {
        var ns = await NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "server" }, Spec = new V1PodSpec { Containers = [Role("echo", 8080, "/healthz", "serve-echo")] } },
            ns, cancellationToken: Timeout);
        var address = await PodIpAsync(ns, "server");
        await ReadyAsync(ns, "server");
        using var client = ClientIn(await ClientPodAsync(ns));
        // Kept-alive connections, as a gateway holds to its upstreams: a stopping server still answers on them.
        const int Connections = 4;
        var before = await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => AnsweredAsync(client, $"http://{address}:8080/")));
        Assert.That(before, Has.All.True, "the server answers before the deletion");

        await Client.CoreV1.DeleteNamespacedPodAsync("server", ns, cancellationToken: Timeout);
        await PodGoneAsync(ns, "server");
        var after = await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => AnsweredAsync(client, $"http://{address}:8080/")));
        Assert.That(after.Count(answered => answered), Is.Zero, "requests answered by the pod's server once the pod was gone from the API");
    }

    private static async Task<bool> AnsweredAsync(HttpClient client, string url)
    {
        try
        {
            using var answer = await client.GetAsync(url);
            return answer.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    [Test]
    public async Task AServiceIsFoundByEachOfItsNamesFromItsOwnNamespace()
    {
        var ns = await NewNamespaceAsync();
        var service = await CreateServiceAsync(ns, "named", "app", "none", port: 80, targetPort: 80);
        var clusterIp = service.Spec.ClusterIP;
        var dns = Host.Cluster.Network.Dns;
        Assert.Multiple(() =>
        {
            Assert.That(dns.Resolve("named", ns), Is.EqualTo(new[] { clusterIp }));
            Assert.That(dns.Resolve($"named.{ns}", "another"), Is.EqualTo(new[] { clusterIp }));
            Assert.That(dns.Resolve($"named.{ns}.svc", "another"), Is.EqualTo(new[] { clusterIp }));
            Assert.That(dns.Resolve($"named.{ns}.svc.cluster.local", null), Is.EqualTo(new[] { clusterIp }));
            Assert.That(dns.Resolve("named", "another"), Is.Empty, "a short name is looked up in the client's own namespace");
        });
    }

    [Test]
    public async Task ServicesGetClusterIpsFromTheServiceRangeAndTheDefaultsOfARealServer()
    {
        var ns = await NewNamespaceAsync();
        var plain = await CreateServiceAsync(ns, "plain", "app", "x", port: 80, targetPort: 8080);
        var headless = await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "headless" },
            Spec = new V1ServiceSpec { ClusterIP = "None", Ports = [new V1ServicePort { Port = 80 }] },
        }, ns, cancellationToken: Timeout);
        var nodePort = await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "exposed" },
            Spec = new V1ServiceSpec { Type = "NodePort", Selector = new Dictionary<string, string> { ["app"] = "x" }, Ports = [new V1ServicePort { Port = 80 }] },
        }, ns, cancellationToken: Timeout);
        var taken = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "same-ip" },
            Spec = new V1ServiceSpec { ClusterIP = plain.Spec.ClusterIP, Ports = [new V1ServicePort { Port = 80 }] },
        }, ns, cancellationToken: Timeout))!;
        var outside = Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "outside" },
            Spec = new V1ServiceSpec { ClusterIP = "192.168.1.1", Ports = [new V1ServicePort { Port = 80 }] },
        }, ns, cancellationToken: Timeout))!;

        Assert.Multiple(() =>
        {
            Assert.That(ClusterAddresses.ServiceCidr.Contains(plain.Spec.ClusterIP), Is.True, plain.Spec.ClusterIP);
            Assert.That(plain.Spec.ClusterIPs, Is.EqualTo(new[] { plain.Spec.ClusterIP }));
            Assert.That((plain.Spec.Type, plain.Spec.SessionAffinity, plain.Spec.InternalTrafficPolicy, plain.Spec.IpFamilyPolicy),
                Is.EqualTo(("ClusterIP", "None", "Cluster", "SingleStack")));
            Assert.That(plain.Spec.IpFamilies, Is.EqualTo(new[] { "IPv4" }));
            Assert.That(plain.Spec.Ports.Single().Protocol, Is.EqualTo("TCP"));
            Assert.That(headless.Spec.ClusterIPs, Is.EqualTo(new[] { "None" }));
            Assert.That(headless.Spec.IpFamilyPolicy, Is.EqualTo("RequireDualStack"), "headless without a selector");
            Assert.That(nodePort.Spec.Ports.Single().NodePort, Is.InRange(30000, 32767));
            Assert.That(nodePort.Spec.ExternalTrafficPolicy, Is.EqualTo("Cluster"));
            Assert.That(nodePort.Spec.ClusterIP, Is.Not.EqualTo(plain.Spec.ClusterIP));
            Assert.That((int)taken.Response.StatusCode, Is.EqualTo(422));
            Assert.That(taken.Response.Content, Does.Contain("provided IP is already allocated"));
            Assert.That((int)outside.Response.StatusCode, Is.EqualTo(422));
            Assert.That(outside.Response.Content, Does.Contain("The range of valid IPs is 10.96.0.0/12"));
        });

        await Client.CoreV1.DeleteNamespacedServiceAsync("plain", ns, cancellationToken: Timeout);
        var reused = await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "same-ip" },
            Spec = new V1ServiceSpec { ClusterIP = plain.Spec.ClusterIP, Ports = [new V1ServicePort { Port = 80 }] },
        }, ns, cancellationToken: Timeout);
        Assert.That(reused.Spec.ClusterIP, Is.EqualTo(plain.Spec.ClusterIP), "a deleted Service's address is free again");
    }

    [Test]
    public async Task PodsGetAddressesFromTheirNodesPodCidr()
    {
        var ns = await NewNamespaceAsync();
        var nodes = (await Client.CoreV1.ListNodeAsync(cancellationToken: Timeout)).Items.ToDictionary(n => n.Metadata.Name);
        foreach (var (node, i) in nodes.Keys.SelectMany(node => Enumerable.Range(0, 3).Select(i => (node, i))))
            await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = $"{node}-{i}" },
                Spec = new V1PodSpec
                {
                    NodeSelector = new Dictionary<string, string> { ["kubernetes.io/hostname"] = node },
                    Containers = [Container("main", "busybox:1.36", "sleep", "3600")],
                },
            }, ns, cancellationToken: Timeout);
        var pods = new List<V1Pod>();
        foreach (var name in nodes.Keys.SelectMany(node => Enumerable.Range(0, 3).Select(i => $"{node}-{i}")))
            pods.Add(await PodEventuallyAsync(ns, name, p => p.Status?.PodIP is not null, "an address"));
        Assert.Multiple(() =>
        {
            Assert.That(pods.Select(p => p.Status.PodIP).Distinct().Count(), Is.EqualTo(6), "no two pods share an address");
            Assert.That(nodes.Values.Select(n => n.Spec.PodCIDR).Distinct().Count(), Is.EqualTo(2), "each node has its own range");
            foreach (var pod in pods)
            {
                var node = nodes[pod.Spec.NodeName];
                Assert.That(Ipv4Cidr.Parse(node.Spec.PodCIDR).Contains(pod.Status.PodIP), Is.True, $"{pod.Metadata.Name} {pod.Status.PodIP} in {node.Spec.PodCIDR}");
                Assert.That(pod.Status.PodIPs.Single().Ip, Is.EqualTo(pod.Status.PodIP));
                Assert.That(pod.Status.HostIP, Is.EqualTo(node.Status.Addresses.Single(a => a.Type == "InternalIP").Address));
            }
        });
    }

    [Test]
    public async Task AProgramRuleGivesAModelledExporterAnHttpAnswer()
    {
        var ns = await NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "exporter" },
            Spec = new V1PodSpec
            {
                Containers =
                [
                    new V1Container
                    {
                        Name = "exporter",
                        Image = "example.com/gpu-exporter:1.0",
                        ReadinessProbe = new V1Probe { PeriodSeconds = 1, TcpSocket = new V1TCPSocketAction { Port = 9400 } },
                    },
                ],
            },
        }, ns, cancellationToken: Timeout);
        await ReadyAsync(ns, "exporter");
        var address = await PodIpAsync(ns, "exporter");

        using var client = ClientIn(await ClientPodAsync(ns));
        using var metrics = await client.GetAsync($"http://{address}:9400/metrics");
        using var elsewhere = await client.GetAsync($"http://{address}:9400/other");
        var otherPort = Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://{address}:9401/metrics"))!;
        Assert.Multiple(async () =>
        {
            Assert.That(metrics.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await metrics.Content.ReadAsStringAsync(), Is.EqualTo("gpu_up 1\n"));
            Assert.That(metrics.Content.Headers.ContentType?.ToString(), Is.EqualTo("text/plain; version=0.0.4"));
            Assert.That(metrics.Headers.GetValues("X-Exporter"), Is.EqualTo(new[] { "modelled" }));
            Assert.That(elsewhere.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(SocketError(otherPort), Is.EqualTo(System.Net.Sockets.SocketError.ConnectionRefused));
        });
    }

    /// <summary>A Deployment of serve-echo (app=echo), a pod of it that never gets ready, and the Service <c>echo</c> on port 80.</summary>
    private async Task DeployEchoAsync(string ns, int replicas)
    {
        var labels = new Dictionary<string, string> { ["app"] = "echo" };
        await Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "echo" },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec { Containers = [Role("echo", 8080, "/healthz", "serve-echo")] },
                },
            },
        }, ns, cancellationToken: Timeout);
        var unready = Role("echo", 8080, "/healthz", "serve-echo");
        unready.ReadinessProbe.InitialDelaySeconds = 3600;
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "echo-unready", Labels = labels },
            Spec = new V1PodSpec { Containers = [unready] },
        }, ns, cancellationToken: Timeout);
        await CreateServiceAsync(ns, "echo", "app", "echo", port: 80, targetPort: "http");
        await ReadyEndpointsAsync(ns, "echo", replicas);
        await PodEventuallyAsync(ns, "echo-unready", p => p.Status?.Phase == "Running", "Running");
    }

    private Task<V1Pod> ReadyAsync(string ns, string pod) =>
        PodEventuallyAsync(ns, pod, p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true, "Ready");

    private async Task<V1Service> CreateServiceAsync(string ns, string name, string labelKey, string labelValue, int port, IntOrString targetPort) =>
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec
            {
                Selector = new Dictionary<string, string> { [labelKey] = labelValue },
                Ports = [new V1ServicePort { Name = "http", Port = port, TargetPort = targetPort }],
            },
        }, ns, cancellationToken: Timeout);

    /// <summary>
    /// The plugin image running a serving role on <paramref name="port"/>, told its pod, namespace and node as the
    /// fixtures' pods are, and ready once its port answers HTTP.
    /// </summary>
    private static V1Container Role(string name, int port, string health, params string[] role) => new()
    {
        Name = name,
        Image = PluginImage,
        Command = ["aiconformance", .. role],
        Ports = [new V1ContainerPort { Name = "http", ContainerPort = port }],
        ReadinessProbe = new V1Probe { PeriodSeconds = 1, HttpGet = new V1HTTPGetAction { Port = "http", Path = health } },
        Env =
        [
            Downward("POD_NAME", "metadata.name"),
            Downward("POD_NAMESPACE", "metadata.namespace"),
            Downward("NODE_NAME", "spec.nodeName"),
        ],
    };

    private static V1EnvVar Downward(string name, string field) =>
        new() { Name = name, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = field } } };

    /// <summary>Runs <c>aiconformance load</c> as a Job and returns the JSON summary its pod printed.</summary>
    private async Task<JsonObject> RunLoadAsync(string ns, string job, params string[] arguments)
    {
        await Client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = job },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "load", Image = PluginImage, Command = ["aiconformance", "load", .. arguments] }] },
                },
            },
        }, ns, cancellationToken: Timeout);
        await Watching.UntilAsync<V1Job, V1JobList>(
            token => Client.BatchV1.ListNamespacedJobAsync(ns, fieldSelector: $"metadata.name={job}", cancellationToken: token),
            (version, token) => Client.BatchV1.WatchListNamespacedJobAsync(ns, fieldSelector: $"metadata.name={job}", resourceVersion: version, cancellationToken: token),
            jobs => jobs.Any(j => j.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") == true), $"Job {job} finishes");
        var pod = (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={job}", cancellationToken: Timeout)).Items.Single();
        using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, ns, cancellationToken: Timeout);
        var log = await new StreamReader(stream).ReadToEndAsync();
        return JsonNode.Parse(log.Trim().Split('\n').Last())!.AsObject();
    }

    private static List<string> PodsThatAnswered(JsonObject summary) => [.. summary["pods"]!.AsObject().Select(p => p.Key)];

    private async Task<List<string>> EchoPodsAsync(string ns) =>
        [.. (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=echo", cancellationToken: Timeout)).Items
            .Where(p => p.Metadata.Name != "echo-unready" && p.Metadata.DeletionTimestamp is null).Select(p => p.Metadata.Name)];

    private async Task<string> PodIpAsync(string ns, string pod) =>
        (await PodEventuallyAsync(ns, pod, p => p.Status?.PodIP is not null, "an address")).Status.PodIP;

    /// <summary>A GET from inside the namespace, as from `kubectl exec client -- curl`.</summary>
    private async Task<string> GetAsync(string ns, string url)
    {
        using var client = ClientIn(await ClientPodAsync(ns));
        return await client.GetStringAsync(url);
    }

    private HttpClient ClientIn(PodSandbox pod) => new(Host.Cluster.Network.CreateHttpHandler(pod)) { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The sandbox of a pod that only sleeps, from which the test's own requests leave.</summary>
    private async Task<PodSandbox> ClientPodAsync(string ns)
    {
        if ((await Client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "metadata.name=client", cancellationToken: Timeout)).Items.Count == 0)
            await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = "client" },
                Spec = new V1PodSpec { Containers = [Container("main", "busybox:1.36", "sleep", "3600")] },
            }, ns, cancellationToken: Timeout);
        var pod = await PodEventuallyAsync(ns, "client", p => p.Status?.Phase == "Running", "Running");
        return Host.Cluster.Network.Sandbox(pod.Metadata.Uid) ?? throw new InvalidOperationException("the running client pod has no sandbox");
    }

    private static SocketError? SocketError(HttpRequestException failure) => (failure.InnerException as SocketException)?.SocketErrorCode;

    private static double SuccessCount(string metrics) =>
        AiConformance.Workloads.Metrics.Exposition.Parse(metrics).Samples("vllm:request_success_total").Single().Value;
}
