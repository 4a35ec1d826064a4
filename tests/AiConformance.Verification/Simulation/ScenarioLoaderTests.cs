using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Scenarios;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

public sealed class ScenarioLoaderTests
{
    private string directory = "";

    [SetUp]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("scenarios-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    private string Write(string name, string yaml)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Test]
    public void ReferenceIsAConformantClusterWithTwoEightGpuDraNodes()
    {
        var scenario = ScenarioLoader.Load("reference");
        var gpuNodes = scenario.Nodes!.Where(n => n.Accelerators?.Any(a => a.Vendor == "nvidia" && a.Count == 8 && a.Via == "dra") == true).Sum(n => n.Count);
        Assert.Multiple(() =>
        {
            Assert.That(scenario.KubernetesVersion, Is.EqualTo("v1.35"));
            Assert.That(gpuNodes, Is.EqualTo(2), "nodes with 8 NVIDIA GPUs through DRA");
            Assert.That(scenario.Nodes!.Count(n => n.ControlPlane), Is.EqualTo(1));
            Assert.That(scenario.Breaks, Is.Null);
        });
    }

    /// <summary>Every shipped scenario passes every check, those against the simulation's components and runtimes included.</summary>
    [TestCaseSource(typeof(ScenarioLoader), nameof(ScenarioLoader.EmbeddedNames))]
    public void EveryEmbeddedScenarioLoads(string name) => Assert.That(ScenarioLoader.Load(name).Name, Is.EqualTo(name));

    [Test]
    public async Task FaultsOfTheScenarioFileAreInjectedIntoThePluginsRequests()
    {
        var path = Write("faulty.yaml", "name: faulty\nextends: reference\nfaults:\n  apiErrorRate: 1\n  errorCode: 429\n");
        await using var host = await ClusterSim.Hosting.SimulationHost.StartAsync(path, CancellationToken.None);
        using var plugin = host.Server.CreateHttpClient(ClusterSim.Server.KubeconfigIdentity.Plugin);
        using var admin = host.Server.CreateHttpClient(ClusterSim.Server.KubeconfigIdentity.Admin);

        var faulted = await plugin.GetAsync($"{host.Server.BaseUrl}/api/v1/namespaces/default/pods");
        var control = await admin.GetAsync($"{host.Server.BaseUrl}/api/v1/namespaces/default/pods");
        Assert.Multiple(() =>
        {
            Assert.That((int)faulted.StatusCode, Is.EqualTo(429), "the plugin identity gets the scenario's error");
            Assert.That((int)control.StatusCode, Is.EqualTo(200), "the admin identity is never faulted");
        });
    }

    [Test]
    public void TheUnreliableStreamsVariantIsTheReferenceClusterWithStreamFaults()
    {
        var scenario = ScenarioLoader.Load("healthy/unreliable-streams");
        Assert.Multiple(() =>
        {
            Assert.That(ScenarioLoader.EmbeddedNames, Does.Contain("healthy/unreliable-streams"), "embedded like broken/*");
            Assert.That(scenario.Breaks, Is.Null);
            Assert.That(scenario.Nodes, Has.Count.EqualTo(ScenarioLoader.Load("reference").Nodes!.Count));
            Assert.That(scenario.Faults!.CutStreamRate, Is.InRange(0.01, 1));
            Assert.That(scenario.Faults.MaxEventDelay, Is.GreaterThan(TimeSpan.Zero));
        });
    }

    [Test]
    public void AFieldWithATypoIsReportedWithItsFileAndLine()
    {
        var path = Write("typo.yaml", "name: mine\nkubernetesVersion: v1.35\nnodez:\n  - name: a\n");
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message, Does.StartWith($"{path}:3:").And.Contain("unknown field 'nodez'"));
    }

    [Test]
    public void AnUnknownFieldOfAnHttpAnswerIsReportedWithItsFileAndLine()
    {
        var path = Write("exporter.yaml", "name: mine\nprograms:\n  - image: '*exporter*'\n    serves:\n      - port: 9400\n        bodee: x\n");
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message, Does.StartWith($"{path}:6:").And.Contain("unknown field 'bodee' in an HTTP answer of `serves:`"));
    }

    [Test]
    public void HttpAnswersNeedAPortAStatusAndAPathThatStartsWithASlash()
    {
        var path = Write("exporter.yaml", """
            name: mine
            programs:
              - image: "*exporter*"
                serves:
                  - {port: 0}
                  - {port: 9400, status: 42, path: metrics}
                  - {port: 9400, path: metrics}
            """);
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message, Does.Contain("programs[0].serves[0].port 0 must be a TCP port from 1 to 65535")
            .And.Contain("programs[0].serves[1].status 42 must be an HTTP status from 100 to 599")
            .And.Contain("programs[0].serves[1].path 'metrics' must start with '/'")
            .And.Contain("programs[0].serves[2] answers port 9400, path metrics, a second time"));
    }

    [Test]
    public void MalformedYamlIsReportedWithItsLine()
    {
        var path = Write("broken.yaml", "name: mine\nnodes:\n  - name: a\n    count: [oops\n");
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message, Does.StartWith($"{path}:"));
        Assert.That(error.Message, Does.Not.Contain("   at "), "no stack trace in the message");
    }

    [Test]
    public void AMisspeltOptionIsOneLineNamingTheComponentAndTheOption()
    {
        var path = Write("misspelt.yaml", "name: mine\nextends: reference\ncomponents:\n  karpenter:\n    options:\n      scanIntervall: 1s\n");
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        var problems = error.Message.Split('\n').Skip(1).ToList();
        Assert.That(problems, Is.EqualTo(new[]
        {
            $"  - {path}:6:7: components.karpenter.options.scanIntervall is not an option of karpenter; known: scanInterval, scaleUpDelay, scaleDownUnneededTime, scaleDownUnreadyTime, scaleDownDelayAfterAdd, fault",
        }));
        Assert.That(error.Message, Does.StartWith(path).And.Not.Contain("   at "));
    }

    [Test]
    public void AProblemIsLocatedInTheFileThatWritesItEvenWhenAnotherExtendsIt()
    {
        var parent = Write("parent.yaml", "name: parent\nextends: reference\nnodes:\n  - name: a\n  - name: b\n    count: 0\n");
        var child = Write("child.yaml", "name: child\nextends: parent.yaml\ncomponents:\n  kueue:\n    options:\n      quota: lots\n");
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(child))!;
        Assert.That(error.Message.Split('\n').Skip(1), Is.EquivalentTo(new[]
        {
            $"  - {parent}:6:5: nodes[1].count must be at least 1",
            $"  - {child}:6:7: components.kueue.options.quota is not an option of kueue; known: fault, deviceClassMappings",
        }));
    }

    /// <summary>Every component refuses a key it does not read.</summary>
    [TestCaseSource(nameof(ComponentNames))]
    public void EachComponentRefusesAnOptionItDoesNotHave(string component)
    {
        var problems = BehaviourCatalog.Problems(new Dictionary<string, ComponentOptions>
        {
            [component] = new() { Options = new() { ["misspelt"] = "x" } },
        }).ToList();
        Assert.That(problems, Has.Count.EqualTo(1).And.One.StartsWith($"components.{component}.options.misspelt is not an option of {component}; known: "));
        Assert.That(BehaviourCatalog.Problems(new Dictionary<string, ComponentOptions> { [component] = new() }), Is.Empty, "no options: the defaults");
    }

    private static IEnumerable<string> ComponentNames() => BehaviourCatalog.Names;

    [Test]
    public void AMisspeltKubeletOptionIsAScenarioErrorNamingTheOptionAndItsLine()
    {
        var path = Write("kubelet.yaml", "name: mine\nextends: reference\ncomponents:\n  kubelet: {options: {pluginImages: x}}\n");
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message.Split('\n').Skip(1), Is.EqualTo(new[]
        {
            $"  - {path}:4:23: components.kubelet.options.pluginImages is not an option of kubelet; known: pluginImage, runtime, exposeAllDevices",
        }));
    }

    /// <summary>The kubelet takes the options of the runtime it runs pods with, and only those, with the values that runtime takes.</summary>
    [Test]
    public void TheKubeletTakesTheOptionsOfItsRuntime()
    {
        static IReadOnlyList<string> Problems(Dictionary<string, string> options) =>
            [.. BehaviourCatalog.Problems(new Dictionary<string, ComponentOptions> { ["kubelet"] = new() { Options = options } })];

        Assert.Multiple(() =>
        {
            Assert.That(Problems(new() { ["runtime"] = "runc-faulty", ["fault"] = "mig-as-whole-gpu", ["pluginImage"] = "*mine*" }), Is.Empty);
            Assert.That(Problems(new() { ["fault"] = "mig-as-whole-gpu" }), Is.EqualTo(new[]
            {
                "components.kubelet.options.fault is not an option of kubelet; known: pluginImage, runtime, exposeAllDevices",
            }), "runc has no faults");
            Assert.That(Problems(new() { ["runtime"] = "runc-faulty", ["fault"] = "melts" }), Has.One.StartsWith("components.kubelet.options.fault 'melts' is not one of ").And.One.Contains("mig-as-whole-gpu"));
            Assert.That(Problems(new() { ["runtime"] = "crun" }), Is.EqualTo(new[]
            {
                $"components.kubelet.options.runtime 'crun' is not one of {string.Join(", ", ClusterSim.Behaviours.Kubelet.ContainerRuntimes.Names)}",
            }));
        });
    }

    [Test]
    public void ARuntimeClassTakesOnlyTheOptionsOfItsRuntime()
    {
        var path = Write("sandbox.yaml", "name: mine\nextends: reference\nruntimeClasses:\n  gvisor:\n    runtime: gvisor\n    options:\n      sharesHostKernal: \"true\"\n      exposeAllDevices: \"yes\"\n");
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message.Split('\n').Skip(1), Is.EquivalentTo(new[]
        {
            $"  - {path}:7:7: runtimeClasses.gvisor.options.sharesHostKernal is not an option of runtime gvisor; known: exposeAllDevices, sharesHostKernel",
            $"  - {path}:8:7: runtimeClasses.gvisor.options.exposeAllDevices 'yes' is not one of true, false",
        }));
    }

    [Test]
    public void AValueAnOptionCannotTakeNamesTheComponentTheOptionAndWhatItTakes()
    {
        var problems = BehaviourCatalog.Problems(new Dictionary<string, ComponentOptions>
        {
            ["cluster-autoscaler"] = new() { Options = new() { ["scanInterval"] = "0s", ["fault"] = "melts" } },
            ["resourceclaim-controller"] = new() { Options = new() { ["deallocateClaims"] = "never" } },
        }).ToList();
        Assert.That(problems, Is.EquivalentTo(new[]
        {
            "components.cluster-autoscaler.options.scanInterval '0s' is not a duration above zero (e.g. 10s, 200ms)",
            $"components.cluster-autoscaler.options.fault 'melts' is not a node autoscaler fault; known: {string.Join(", ", ClusterSim.Modules.Autoscaling.NodeAutoscalerFault.Catalog.Names)}",
            "components.resourceclaim-controller.options.deallocateClaims 'never' is not true or false",
        }));
    }

    [Test]
    public void AnUnknownKueueOptionOrFaultIsAScenarioError()
    {
        var path = Write("kueue.yaml", "name: mine\ncomponents:\n  kueue:\n    options:\n      fault: sometimes\n      quota: lots\n");
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message, Does.StartWith(path).And.Contain("components.kueue.options.quota is not an option of kueue; known: fault")
            .And.Contain("components.kueue.options.fault 'sometimes' is not a kueue fault"));

        var faulty = Write("kueue-fault.yaml", "name: mine\ncomponents:\n  kueue:\n    options:\n      fault: sometimes\n");
        var fault = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(faulty))!;
        Assert.That(fault.Message, Does.Contain("fault 'sometimes' is not a kueue fault").And.Contain("admits-partially"));
    }

    [Test]
    public void AnUnknownPodGroupSchedulerOptionOrFaultIsAScenarioError()
    {
        var path = Write("volcano.yaml", "name: mine\ncomponents:\n  volcano:\n    options:\n      queue: mine\n");
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message, Does.StartWith(path).And.Contain("components.volcano.options.queue is not an option of volcano").And.Contain("schedulerName"));

        var faulty = Write("kai-fault.yaml", "name: mine\ncomponents:\n  kai-scheduler:\n    options:\n      fault: sometimes\n");
        var fault = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(faulty))!;
        Assert.That(fault.Message, Does.Contain("components.kai-scheduler.options.fault 'sometimes' is not a gang scheduler fault").And.Contain("binds-one-by-one"));
    }

    [Test]
    public void ABadDurationSaysHowToWriteOne()
    {
        var path = Write("slow.yaml", "name: mine\nlatencies:\n  podStart: soon\n");
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message, Does.Contain(":3:").And.Contain("250ms"));
    }

    [Test]
    public void SemanticProblemsAreAllListed()
    {
        var path = Write("wrong.yaml", """
            name: mine
            kubernetesVersion: v1.20
            nodes:
              - name: Bad_Name
                accelerators:
                  - {vendor: acme, via: usb}
            components:
              schedulerr: {}
            faults:
              cutStreamRate: 2
            """);
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message, Does.Contain("kubernetesVersion 'v1.20'")
            .And.Contain("nodes[0].name 'Bad_Name'")
            .And.Contain("vendor 'acme'")
            .And.Contain("via 'usb'")
            .And.Contain("components.schedulerr")
            .And.Contain("faults.cutStreamRate must be between 0 and 1"));
    }

    [Test]
    public void ExpectationsAndErrorCodesAreChecked()
    {
        var path = Write("expect.yaml", """
            extends: reference
            expect:
              gpu_sharing: Maybe
              Not-An-Id: Implemented
            faults:
              errorCodes: [429, 418]
            """);
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path))!;
        Assert.That(error.Message, Does.Contain("expect.gpu_sharing 'Maybe' must be one of Implemented, PartiallyImplemented, NotImplemented, NotApplicable, NeedsAttestation")
            .And.Contain("expect.Not-An-Id is not a requirement id")
            .And.Contain("faults.errorCodes 418 must be 500, 429, 503 or 504")
            .And.Not.Contain("429 must"));
    }

    [Test]
    public void AnOverlaysExpectationsAreItsOwn()
    {
        var variant = Write("variant.yaml", "extends: reference\nexpect: {secure_accelerator_access: NeedsAttestation}\n");
        var overlay = Write("overlay.yaml", "extends: variant.yaml\n");
        Assert.Multiple(() =>
        {
            Assert.That(ScenarioLoader.Load(variant).Expect, Is.EqualTo(new Dictionary<string, string> { ["secure_accelerator_access"] = "NeedsAttestation" }));
            Assert.That(ScenarioLoader.Load(overlay).Expect, Is.Null, "what a variant expects describes that variant, not the ones built on it");
        });
    }

    [Test]
    public void HealthyVariantsAreTheEmbeddedScenariosUnderHealthy() =>
        Assert.That(ScenarioLoader.HealthyNames, Does.Contain("healthy/unreliable-api").And.All.StartsWith("healthy/"));

    [Test]
    public void AnOverlayReplacesSectionsAndMergesComponents()
    {
        var path = Write("overlay.yaml", """
            extends: reference
            kubernetesVersion: v1.34
            components:
              dra-drivers: {enabled: false}
            latencies:
              podStart: 2s
            """);
        var scenario = ScenarioLoader.Load(path);
        Assert.Multiple(() =>
        {
            Assert.That(scenario.Name, Is.EqualTo("overlay"));
            Assert.That(scenario.KubernetesVersion, Is.EqualTo("v1.34"));
            Assert.That(scenario.Nodes, Has.Count.EqualTo(ScenarioLoader.Load("reference").Nodes!.Count), "nodes come from the base");
            Assert.That(scenario.Components!["dra-drivers"].Enabled, Is.False);
            Assert.That(scenario.Components["scheduler"].Enabled, Is.True);
            Assert.That(scenario.Latencies!.PodStart, Is.EqualTo(TimeSpan.FromSeconds(2)));
        });
    }

    [Test]
    public void AnUnknownScenarioNameListsTheEmbeddedOnes()
    {
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load("no-such-scenario"))!;
        Assert.That(error.Message, Does.Contain("reference").And.Contain("broken/"));
    }

    [TestCase("250ms", 250)]
    [TestCase("2s", 2000)]
    [TestCase("1m30s", 90000)]
    [TestCase("0", 0)]
    public void DurationsAreReadAsKubernetesWritesThem(string text, int milliseconds)
    {
        var path = Write("d.yaml", $"name: d\nlatencies:\n  podStart: {text}\n");
        Assert.That(ScenarioLoader.Load(path).Latencies!.PodStart, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
