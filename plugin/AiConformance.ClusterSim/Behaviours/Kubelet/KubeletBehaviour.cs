using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Accelerators.Devices;
using AiConformance.ClusterSim.Behaviours.Programs;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours.Kubelet;

/// <summary>
/// The kubelets of all simulated nodes: after the scenario's pod-start latency they create the pod sandbox through
/// the pod's container runtime, with an address on the pod network, run init containers in order and then the
/// containers, as simulated processes whose output is the container log; they report phases, container states,
/// restarts (restartPolicy, back-off), readiness (HTTP and TCP probes run for real through the network, with their
/// failure and success thresholds) and conditions as the real kubelet does, hand devices to containers
/// (<see cref="DeviceHandOff"/>), and finish graceful deletions, tearing the sandbox down. Options:
/// <see cref="KubeletOptions"/>.
/// </summary>
public sealed class KubeletBehaviour : ReconcilingBehaviour
{
    public const string ComponentName = "kubelet";

    private readonly Dictionary<string, PodRun> runs = new(StringComparer.Ordinal);
    private DeviceHandOff? handOff;
    private KubeletOptions? options;
    private bool watchingListeners;
    private int listenersChanged;

    public override string Name => ComponentName;

    private DeviceHandOff HandOff => handOff ??= new DeviceHandOff(Cluster);

    private KubeletOptions Options => options ??= Cluster.Options<KubeletOptions>(ComponentName);

    protected override bool IsController => false;

    protected override IReadOnlyCollection<ResourceKind> Watches { get; } = [Kinds.Pod, Kinds.Node, Kinds.ResourceClaim];

    protected override async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (!watchingListeners)
        {
            // A process starting or stopping to listen changes what its readiness probe sees: probe again at once.
            Cluster.Network.ListenersChanged += ProbeAgain;
            watchingListeners = true;
        }
        var listenerCameOrWent = Interlocked.Exchange(ref listenersChanged, 0) == 1;
        var nodes = Store.List(Kinds.Node).ToDictionary(n => n.Name(), StringComparer.Ordinal);
        var pods = Store.List(Kinds.Pod).Where(p => p.NodeName() is { } node && nodes.ContainsKey(node)).ToList();
        foreach (var pod in pods)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!runs.TryGetValue(pod.Uid(), out var run))
            {
                if (pod.IsTerminal()) continue;
                run = runs[pod.Uid()] = new PodRun(pod.Uid(), pod.Namespace()!, pod.Name(), pod.NodeName()!);
            }
            var node = nodes[run.Node];
            if (pod.IsDeleting()) { Terminate(pod, run); continue; }
            if (!run.SandboxReady && !StartSandbox(pod, node, run)) { WriteStatus(pod, run); continue; }
            Advance(pod, node, run);
            ProbeReadiness(pod, run, listenerCameOrWent, cancellationToken);
            WriteStatus(pod, run);
        }
        var present = pods.Select(p => p.Uid()).ToHashSet();
        foreach (var gone in runs.Values.Where(r => !present.Contains(r.Uid)).ToList()) Forget(gone);
    }

    private void ProbeAgain()
    {
        Interlocked.Exchange(ref listenersChanged, 1);
        Wake();
    }

    /// <summary>
    /// Takes the results of the readiness probes that ended and starts the HTTP and TCP probes that are due. Each probe
    /// runs in the background, as on the kubelet's worker per container, so a slow one holds back no other pod's probe
    /// or status; its end asks for a pass. After a listener came or went, the unready containers are probed at once
    /// (once their probe in flight ended), so that a server is ready as soon as it listens (the real kubelet sees it at
    /// its next period); a ready one is probed only at its period, so that its failures count towards the threshold as
    /// the kubelet counts them.
    /// </summary>
    private void ProbeReadiness(JsonObject pod, PodRun run, bool listenerCameOrWent, CancellationToken cancellationToken)
    {
        var now = DateTime.UtcNow;
        foreach (var container in run.Containers.Where(c => c.Running && c.ProbePassed is not null && c.ReadyAt <= now))
        {
            var early = listenerCameOrWent && container.ProbePassed == false;
            if (container.Probe is { } probe)
            {
                container.ProbeAgainAtOnce |= early;
                if (!probe.IsCompleted) continue;
                container.Probe = null;
                if (probe.IsCompletedSuccessfully)
                {
                    container.Probed(probe.Result is null);
                    if (probe.Result is { } failure) Cluster.Events.Record(pod, Kinds.Pod, "Warning", "Unhealthy", $"Readiness probe failed: {failure}", ComponentName);
                }
                else Cluster.Log.Warn(ComponentName, $"{run.Namespace}/{run.Name}/{container.Name}: the readiness probe could not run: {probe.Exception?.GetBaseException().Message}");
                container.NextProbeAt = DateTime.UtcNow + ReadinessProber.Period(container.Spec);
                RequeueAfter(container.NextProbeAt.Value - DateTime.UtcNow);
                early = container.ProbeAgainAtOnce && container.ProbePassed == false;
                container.ProbeAgainAtOnce = false;
            }
            if (!early && container.NextProbeAt > now) continue;
            container.Probe = ReadinessProber.FailureAsync(Cluster.Network, run.Sandbox!, container.Spec, cancellationToken);
            container.Probe.ContinueWith(_ => Wake(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    protected override void Stopped()
    {
        Cluster.Network.ListenersChanged -= ProbeAgain;
        foreach (var run in runs.Values)
        {
            run.StopAll();
            Cluster.Network.Detach(run.Uid);
        }
    }

    private bool StartSandbox(JsonObject pod, JsonObject node, PodRun run)
    {
        var due = run.SeenAt + Cluster.Latencies.PodStart;
        if (DateTime.UtcNow < due) { RequeueAfter(due - DateTime.UtcNow); return false; }
        var runtimeClass = (string?)pod["spec"]?["runtimeClassName"];
        if (runtimeClass is not null && !(Cluster.Scenario.RuntimeClasses ?? []).ContainsKey(runtimeClass))
        {
            Fail(pod, run, $"Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for \"{runtimeClass}\" is configured");
            return false;
        }
        var (sandbox, failure) = Cluster.Network.Attach(pod, node);
        if (sandbox is null)
        {
            Fail(pod, run, $"Failed to create pod sandbox: rpc error: code = Unknown desc = {failure}");
            return false;
        }
        run.InitContainers.AddRange(PodRun.ContainersOf(pod, "initContainers", true));
        run.Containers.AddRange(PodRun.ContainersOf(pod, "containers", false));
        foreach (var container in run.Containers) container.WaitingReason = run.InitContainers.Count > 0 ? "PodInitializing" : "ContainerCreating";
        run.Sandbox = sandbox;
        run.HostIp = Network.PodNetwork.NodeAddress(node);
        run.PodIp = sandbox.Ip;
        run.StartTime = DateTime.UtcNow;
        run.SandboxReady = true;
        run.SandboxFailure = null;
        return true;
    }

    private void Fail(JsonObject pod, PodRun run, string message)
    {
        if (run.SandboxFailure == message) { RequeueAfter(TimeSpan.FromSeconds(2)); return; }
        run.SandboxFailure = message;
        Cluster.Events.Record(pod, Kinds.Pod, "Warning", "FailedCreatePodSandBox", message, ComponentName);
        RequeueAfter(TimeSpan.FromSeconds(2));
    }

    /// <summary>Starts what may start now and applies the restart policy to what has exited.</summary>
    private void Advance(JsonObject pod, JsonObject node, PodRun run)
    {
        var policy = (string?)pod["spec"]?["restartPolicy"] ?? "Always";
        foreach (var init in run.InitContainers)
        {
            if (init.Terminated && init.ExitCode == 0) continue;
            if (init.Running) return;
            if (init.Terminated && policy == "Never") return;
            if (init.Terminated) ScheduleRestart(init);
            if (init.RestartAt is { } at && at > DateTime.UtcNow) { RequeueAfter(at - DateTime.UtcNow); return; }
            StartContainer(pod, node, run, init);
            return;
        }
        foreach (var container in run.Containers)
        {
            if (container.Running) continue;
            if (container.Process is null) { StartContainer(pod, node, run, container); continue; }
            var restart = policy == "Always" || (policy == "OnFailure" && container.ExitCode != 0);
            if (!restart) continue;
            if (container.RestartAt is null) ScheduleRestart(container);
            if (container.RestartAt is { } at && at > DateTime.UtcNow) { RequeueAfter(at - DateTime.UtcNow); continue; }
            StartContainer(pod, node, run, container);
        }
        if (run.Containers.All(c => c.Terminated && c.RestartAt is null) && policy != "Always")
        {
            // A finished pod's sandbox is torn down: its devices and its address are free again (its status keeps the address).
            HandOff.Release(run.Uid);
            Cluster.Network.Detach(run.Uid);
        }
    }

    private void ScheduleRestart(ContainerRun container)
    {
        var backoff = Cluster.Latencies.RestartBackoff * Math.Pow(2, Math.Min(container.RestartCount, 5));
        container.RestartAt = DateTime.UtcNow + backoff;
        container.WaitingReason = "CrashLoopBackOff";
        container.LastTerminated = container.TerminatedState();
    }

    private void StartContainer(JsonObject pod, JsonObject node, PodRun run, ContainerRun container)
    {
        var runtime = Runtime(pod);
        var handed = HandOff.For(pod, node.Name(), container.Spec);
        var context = new ContainerContext(Cluster, node, NodeGroupOf(node.Name()), pod, container.Spec,
            handed.Dra, handed.DevicePlugin, Environment(pod, run, container.Spec), runtime.Options);
        var sandbox = runtime.Runtime.Create(context);
        if (sandbox.View is null)
        {
            container.WaitingReason = "CreateContainerError";
            Cluster.Events.Record(pod, Kinds.Pod, "Warning", "Failed", sandbox.Failure ?? "failed to create container", ComponentName);
            RequeueAfter(TimeSpan.FromSeconds(2));
            return;
        }
        if (container.Process is not null) container.RestartCount++;
        container.RestartAt = null;
        container.ExitCode = null;
        container.FinishedAt = null;
        container.StartedAt = DateTime.UtcNow;
        container.ReadyAt = container.Spec["readinessProbe"] is JsonObject probe
            ? container.StartedAt + TimeSpan.FromSeconds(JsonNumber.Int(probe["initialDelaySeconds"]) ?? 0)
            : null;
        if (container.ReadyAt is { } readyAt) RequeueAfter(readyAt - DateTime.UtcNow);
        container.ResetReadiness(ReadinessProber.ProbesTheNetwork(container.Spec));
        container.ContainerId = "containerd://" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        Cluster.Logs.Start(run.Namespace, run.Name, container.Name);
        var commandLine = RuncRuntime.Command(container.Spec);
        var pluginImage = Options.PluginImage;
        var program = ProgramCatalog.Resolve(Cluster.Scenario, container.Image, commandLine, pluginImage, Cluster.Programs);
        var (ns, name, containerName) = (run.Namespace, run.Name, container.Name);
        var stdio = new ContainerStdio(text => Cluster.Logs.Append(ns, name, containerName, text),
            openStdin: container.Spec["stdin"]?.GetValue<bool>() == true, stdinOnce: container.Spec["stdinOnce"]?.GetValue<bool>() == true);
        var programContext = new ProgramContext(sandbox.View, container.Image, commandLine, stdio.Write, Cluster, ComponentName, run.Sandbox!, stdio.Stdin);
        container.Stop = new CancellationTokenSource();
        var stop = container.Stop.Token;
        var execTarget = new ContainerExecs.Target(sandbox.View, container.Image, pluginImage, Cluster, ComponentName, run.Sandbox!, stdio);
        Cluster.Execs.Started(ns, name, containerName, execTarget);
        HandOff.Started(pod, node.Name(), container.Name, handed, container.StartedAt.Value);
        container.Process = Task.Run(async () =>
        {
            int code;
            try { code = await program.RunAsync(programContext, stop); }
            catch (OperationCanceledException) { code = 137; }
            catch (Exception e)
            {
                Cluster.Log.Warn(ComponentName, $"{ns}/{name}/{containerName}: the simulated process failed: {e.Message}");
                programContext.Write($"{e.GetType().Name}: {e.Message}\n");
                code = 1;
            }
            Cluster.Execs.Stopped(ns, name, containerName, execTarget);
            stdio.Ended(code);
            container.FinishedAt = DateTime.UtcNow;
            // Before the exit code: once it is set, a restart may record the next instance's devices.
            HandOff.Exited(run.Uid, containerName);
            container.ExitCode = code;
            Wake();
            return code;
        }, CancellationToken.None);
        Cluster.Events.Record(pod, Kinds.Pod, "Normal", "Pulled", $"Container image \"{container.Image}\" already present on machine", ComponentName);
        Cluster.Events.Record(pod, Kinds.Pod, "Normal", "Created", $"Created container: {container.Name}", ComponentName);
        Cluster.Events.Record(pod, Kinds.Pod, "Normal", "Started", $"Started container {container.Name}", ComponentName);
    }

    private (IContainerRuntime Runtime, IReadOnlyDictionary<string, string> Options) Runtime(JsonObject pod)
    {
        var runtimeClass = (string?)pod["spec"]?["runtimeClassName"];
        if (runtimeClass is not null && (Cluster.Scenario.RuntimeClasses ?? []).TryGetValue(runtimeClass, out var spec))
            return (ContainerRuntimes.Get(spec.Runtime), spec.Options ?? []);
        return (Options.Runtime, Options.RuntimeOptions);
    }

    private Scenarios.NodeGroup? NodeGroupOf(string node) => Cluster.NodeGroupOf(node);

    private Dictionary<string, string> Environment(JsonObject pod, PodRun run, JsonObject container)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["HOSTNAME"] = pod.Name(),
            ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1",
            ["KUBERNETES_SERVICE_PORT"] = "443",
            ["KUBERNETES_SERVICE_PORT_HTTPS"] = "443",
            ["KUBERNETES_PORT"] = "tcp://10.96.0.1:443",
        };
        foreach (var variable in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = (string?)variable["name"] ?? "";
            if ((string?)variable["value"] is { } value) { env[name] = value; continue; }
            if (variable["valueFrom"] is not JsonObject from) { env[name] = ""; continue; }
            if ((string?)from["fieldRef"]?["fieldPath"] is { } path && FieldValue(pod, run, path) is { } field) env[name] = field;
            else if (from["configMapKeyRef"] is JsonObject cm
                && (string?)Store.Get(Kinds.ConfigMap, pod.Namespace(), (string?)cm["name"] ?? "")?["data"]?[(string?)cm["key"] ?? ""] is { } cmValue)
                env[name] = cmValue;
        }
        return env;
    }

    private static string? FieldValue(JsonObject pod, PodRun run, string path)
    {
        if (path.StartsWith("metadata.annotations['", StringComparison.Ordinal) || path.StartsWith("metadata.labels['", StringComparison.Ordinal))
        {
            var section = path.StartsWith("metadata.labels", StringComparison.Ordinal) ? "labels" : "annotations";
            var key = path[(path.IndexOf('\'') + 1)..path.LastIndexOf('\'')];
            return (string?)pod["metadata"]?[section]?[key];
        }
        return path switch
        {
            "metadata.name" => pod.Name(),
            "metadata.namespace" => pod.Namespace(),
            "metadata.uid" => pod.Uid(),
            "spec.nodeName" => pod.NodeName(),
            "spec.serviceAccountName" => (string?)pod["spec"]?["serviceAccountName"] ?? "default",
            "status.podIP" => run.PodIp,
            "status.hostIP" => run.HostIp,
            _ => null,
        };
    }

    /// <summary>
    /// A graceful deletion: stop the containers, wait for their processes to end (a server finishing its requests),
    /// then remove the pod after the termination latency. As with the kubelet, a pod that is gone from the API has no
    /// process left that could still answer; past the grace period it is removed whatever runs.
    /// </summary>
    private void Terminate(JsonObject pod, PodRun run)
    {
        run.DeletionSeenAt ??= DateTime.UtcNow;
        // A preStop sleep keeps the containers serving that long after the deletion (within the grace period), while
        // the pod leaves its Services' endpoints; then they are stopped.
        var stopAt = run.DeletionSeenAt.Value + PreStopSleep(pod);
        if (DateTime.UtcNow < stopAt) { RequeueAfter(stopAt - DateTime.UtcNow); return; }
        run.StopAll();
        // Each process's end wakes the kubelet.
        var killAt = run.DeletionSeenAt.Value + GracePeriod(pod);
        if (run.All.Any(c => c.Running) && DateTime.UtcNow < killAt) { RequeueAfter(killAt - DateTime.UtcNow); return; }
        run.StoppedAt ??= DateTime.UtcNow;
        var due = run.StoppedAt.Value + Cluster.Latencies.PodTermination;
        if (DateTime.UtcNow < due) { RequeueAfter(due - DateTime.UtcNow); return; }
        HandOff.Release(run.Uid);
        Cluster.Network.Detach(run.Uid);
        if ((pod["metadata"]?["finalizers"] as JsonArray ?? []).Count > 0) return;
        try { Store.Delete(Kinds.Pod, pod.Namespace(), pod.Name()); }
        catch (StatusException e) when (e.Code == 404) { }
    }

    /// <summary>The longest <c>lifecycle.preStop.sleep</c> of the pod's containers, cut to its deletion grace period.</summary>
    private static TimeSpan PreStopSleep(JsonObject pod)
    {
        var longest = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(container => (long?)container["lifecycle"]?["preStop"]?["sleep"]?["seconds"] ?? 0).DefaultIfEmpty(0).Max();
        return TimeSpan.FromSeconds(Math.Max(0, Math.Min(longest, GracePeriod(pod).TotalSeconds)));
    }

    private static TimeSpan GracePeriod(JsonObject pod) =>
        TimeSpan.FromSeconds((long?)pod["metadata"]?["deletionGracePeriodSeconds"] ?? (long?)pod["spec"]?["terminationGracePeriodSeconds"] ?? 30);

    private void Forget(PodRun run)
    {
        run.StopAll();
        HandOff.Release(run.Uid);
        Cluster.Network.Detach(run.Uid);
        Cluster.Logs.Forget(run.Namespace, run.Name);
        runs.Remove(run.Uid);
    }

    private void WriteStatus(JsonObject pod, PodRun run)
    {
        var desired = (pod["status"] as JsonObject)?.DeepClone().AsObject() ?? [];
        Describe(pod, run, desired);
        if (JsonNode.DeepEquals(desired, pod["status"])) return;
        Store.Mutate(Kinds.Pod, run.Namespace, run.Name, p =>
        {
            if (p.Uid() != run.Uid) return;
            Describe(p, run, p.Child("status"));
        }, statusOnly: true);
    }

    private static void Describe(JsonObject pod, PodRun run, JsonObject status)
    {
        var policy = (string?)pod["spec"]?["restartPolicy"] ?? "Always";
        var phase = Phase(run, policy);
        status["phase"] = phase;
        if (run.SandboxReady)
        {
            status["hostIP"] = run.HostIp;
            status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = run.HostIp });
            status["podIP"] = run.PodIp;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = run.PodIp });
            status["startTime"] = ContainerRun.Timestamp(run.StartTime);
        }
        status["qosClass"] = QosClass(pod);
        if (run.InitContainers.Count > 0) status["initContainerStatuses"] = new JsonArray([.. run.InitContainers.Select(c => (JsonNode)c.Status(run.SandboxReady))]);
        var containers = run.Containers.Count > 0
            ? run.Containers
            : PodRun.ContainersOf(pod, "containers", false);
        status["containerStatuses"] = new JsonArray([.. containers.Select(c => (JsonNode)c.Status(run.SandboxReady))]);
        var allRunning = run.Containers.Count > 0 && run.Containers.All(c => c.Ready);
        var done = phase is "Succeeded" or "Failed";
        PodFacts.SetCondition(status, "PodReadyToStartContainers", run.SandboxReady && !done ? "True" : "False");
        PodFacts.SetCondition(status, "Initialized", run.InitDone ? "True" : "False", run.InitDone ? null : "ContainersNotInitialized",
            run.InitDone ? null : $"containers with incomplete status: [{string.Join(' ', run.InitContainers.Where(c => !c.Terminated).Select(c => c.Name))}]");
        var notReady = done ? "PodCompleted" : "ContainersNotReady";
        var message = done ? null : $"containers with unready status: [{string.Join(' ', containers.Where(c => !c.Ready).Select(c => c.Name))}]";
        PodFacts.SetCondition(status, "Ready", allRunning ? "True" : "False", allRunning ? null : notReady, allRunning ? null : message);
        PodFacts.SetCondition(status, "ContainersReady", allRunning ? "True" : "False", allRunning ? null : notReady, allRunning ? null : message);
    }

    /// <summary>Guaranteed when every container limits CPU and memory to its requests; BestEffort when none asks for any.</summary>
    private static string QosClass(JsonObject pod)
    {
        var containers = (pod["spec"]?["containers"] as JsonArray ?? []).Concat(pod["spec"]?["initContainers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        bool Has(JsonObject c, string section, string resource) => c["resources"]?[section]?[resource] is not null;
        if (containers.All(c => !new[] { "requests", "limits" }.Any(section => Has(c, section, "cpu") || Has(c, section, "memory")))) return "BestEffort";
        var guaranteed = containers.All(c => new[] { "cpu", "memory" }.All(resource =>
            Has(c, "limits", resource) && (!Has(c, "requests", resource)
                || ResourceMath.Parse(c["resources"]!["requests"]![resource]) == ResourceMath.Parse(c["resources"]!["limits"]![resource]))));
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    private static string Phase(PodRun run, string policy)
    {
        if (!run.SandboxReady) return "Pending";
        if (run.InitContainers.Any(c => c.Terminated && c.ExitCode != 0) && policy == "Never") return "Failed";
        if (!run.InitDone) return "Pending";
        if (run.Containers.Any(c => c.Running || c.RestartAt is not null)) return "Running";
        if (run.Containers.Any(c => c.Process is null)) return "Pending";
        if (policy == "Always") return "Running";
        if (run.Containers.All(c => c.ExitCode == 0)) return "Succeeded";
        return policy == "Never" ? "Failed" : "Running";
    }
}
