using System.Net;
using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Operators;
using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Operator;

/// <summary>
/// robust_controller (KAR-0063): an AI operator installed in the cluster works end to end. Its controller's pods are
/// ready, its CRDs established and its validating webhooks registered with a CA bundle; its webhook denies an invalid
/// custom resource (the API server names the webhook in the denial, so it is not the CRD's schema speaking); a valid
/// one is reconciled into pods it owns that run, and its status says so; and deleting it removes everything that was
/// created for it. One case per operator found.
/// </summary>
[Requirement("robust_controller")]
public sealed class RobustController
{
    private const string Valid = "valid";
    private const string Invalid = "invalid";

    public static IEnumerable<TestCaseData> Operators() => OperatorDetection.Cases.Cases();

    [TestCaseSource(nameof(Operators))]
    [Description("KAR-0063 'Setup': the operator's pods are Running and Ready, its CRDs are Established, and its admission webhooks are registered with a CA bundle")]
    public async Task OperatorPodsAreReadyAndItsCrdsAndWebhooksAreRegistered(AiOperator? found)
    {
        var ai = Require(found);
        await ControllersReadyAsync(ai);
        Assert.Multiple(() =>
        {
            foreach (var crd in ai.Crds)
            {
                var established = crd.Status?.Conditions?.FirstOrDefault(condition => condition.Type == "Established");
                Evidence.Observed($"CRD {crd.Metadata.Name}", $"Established={established?.Status ?? "(no condition)"}");
                Assert.That(established?.Status, Is.EqualTo("True"), $"Established condition of CRD {crd.Metadata.Name}");
            }
            Assert.That(ai.Webhooks, Is.Not.Empty,
                $"validating webhooks for {ai.Profile.Group} (configurations seen for its group: {ai.WebhookConfigurations.Count}); an operator's admission webhooks must be registered");
            foreach (var webhook in ai.Webhooks)
            {
                var target = webhook.ClientConfig.Service is { } service ? $"service {service.NamespaceProperty}/{service.Name}{service.Path}" : webhook.ClientConfig.Url;
                Evidence.Observed($"webhook {webhook.Name}", $"{target}, failurePolicy {webhook.FailurePolicy ?? "Fail"}, caBundle {webhook.ClientConfig.CaBundle?.Length ?? 0} bytes");
                // A webhook behind a Service is called over TLS with the configuration's CA bundle; without one the call cannot be trusted.
                if (webhook.ClientConfig.Service is not null)
                    Assert.That(webhook.ClientConfig.CaBundle, Is.Not.Null.And.Not.Empty, $"caBundle of webhook {webhook.Name}");
            }
        });
    }

    [TestCaseSource(nameof(Operators))]
    [Description("KAR-0063 'Webhook validation case': a custom resource that the CRD's schema accepts but the operator's rules forbid is denied by the operator's admission webhook, and the denial names that webhook")]
    public async Task InvalidResourceIsDeniedByTheOperatorsWebhook(AiOperator? found)
    {
        var (ai, driver) = await DriveAsync(found);
        await using var ns = await TestNamespace.CreateAsync("operator-webhook");
        Evidence.Step($"Create {driver.Kind} `{Invalid}` with {driver.WhatIsInvalid}");
        HttpOperationException? denial = null;
        try
        {
            await driver.CreateInvalidAsync(ns, Invalid);
        }
        catch (HttpOperationException error) when ((int)error.Response.StatusCode is >= 400 and < 500)
        {
            denial = error;
        }
        if (denial is null)
        {
            await driver.DeleteAsync(ns, Invalid);
            Assert.Fail($"the API server accepted {driver.Kind} `{Invalid}` with {driver.WhatIsInvalid}; no admission webhook of {ai.Name} denied it " +
                        $"(its validating webhooks: {string.Join(", ", ai.Webhooks.Select(webhook => webhook.Name).DefaultIfEmpty("none"))})");
        }
        var message = KubernetesJson.Deserialize<V1Status>(denial!.Response.Content)?.Message ?? denial.Response.Content;
        Evidence.Observed($"answer ({(int)denial.Response.StatusCode})", message);
        var deniedBy = ai.Webhooks.Select(webhook => $"admission webhook \"{webhook.Name}\" denied the request").ToList();
        Assert.That(deniedBy.Any(message.StartsWith), Is.True,
            $"the denial names one of {ai.Name}'s webhooks ({string.Join(", ", ai.Webhooks.Select(webhook => webhook.Name).DefaultIfEmpty("none registered"))}), " +
            $"as the API server words a webhook's denial; it said: {message}");
        Assert.That(await driver.ExistsAsync(ns, Invalid), Is.False, $"{driver.Kind} `{Invalid}` exists after its denial");
    }

    [TestCaseSource(nameof(Operators))]
    [Description("KAR-0063 'Reconciliation case': a valid custom resource is reconciled into pods it owns (controller owner reference) that run and are ready, and its status reports them ready")]
    public async Task ValidResourceIsReconciledIntoOwnedPodsThatRun(AiOperator? found)
    {
        var (_, driver) = await DriveAsync(found);
        await using var ns = await TestNamespace.CreateAsync("operator-reconcile");
        var uid = await driver.CreateValidAsync(ns, Valid);
        // The operator acts at once (its first reconcile creates the pods); pulling its images and starting them takes longer.
        await WaitCreatedPodsAsync(ns, driver, "to be created", _ => true, ns.Timeouts.ObjectCreated);
        var created = await WaitCreatedPodsAsync(ns, driver, "to run and be ready", PodWaits.IsReady, ns.Timeouts.Reconciled);
        var ownership = await Ownership.ReadAsync(ns, driver);
        foreach (var pod in created)
            Evidence.Observed($"pod {pod.Metadata.Name}", $"{PodWaits.Describe(pod)}; controlled by {ownership.ControlChain(pod, uid) ?? $"(not {driver.Kind} `{Valid}`: owners {Owners(pod)})"}");
        Assert.That(created.Where(pod => ownership.ControlChain(pod, uid) is null).Select(pod => $"{pod.Metadata.Name} (owners: {Owners(pod)})"), Is.Empty,
            $"pods labelled `{driver.CreatedFor(Valid)}` that {driver.Kind} `{Valid}` does not control, directly or through what it controls (controller owner references)");
        var status = await driver.WaitReadyAsync(ns, Valid, created);
        Evidence.Observed($"{driver.Kind} `{Valid}` status", status);
        await driver.DeleteAsync(ns, Valid);
    }

    [TestCaseSource(nameof(Operators))]
    [Description("KAR-0063 'Cleanup': deleting the custom resource removes every pod, Service, Deployment, StatefulSet and Job that was created for it (the garbage collector follows its owner references); nothing is left behind")]
    public async Task DeletingTheResourceRemovesEverythingCreatedForIt(AiOperator? found)
    {
        var (_, driver) = await DriveAsync(found);
        await using var ns = await TestNamespace.CreateAsync("operator-delete");
        var uid = await driver.CreateValidAsync(ns, Valid);
        await WaitCreatedPodsAsync(ns, driver, "to be created", _ => true, ns.Timeouts.ObjectCreated);
        var selector = driver.CreatedFor(Valid);
        var pods = ns.Objects<V1Pod>().Watchable(labelSelector: selector);
        var services = ns.Objects<V1Service>().Watchable(labelSelector: selector);
        var deployments = ns.Objects<V1Deployment>().Watchable(labelSelector: selector);
        var statefulSets = ns.Objects<V1StatefulSet>().Watchable(labelSelector: selector);
        var jobs = ns.Objects<V1Job>().Watchable(labelSelector: selector);
        var (createdPods, _) = await ns.Objects<V1Pod>().ListAsync(selector, null, ns.Cancellation);
        var (createdServices, _) = await ns.Objects<V1Service>().ListAsync(selector, null, ns.Cancellation);
        var (createdDeployments, _) = await ns.Objects<V1Deployment>().ListAsync(selector, null, ns.Cancellation);
        var (createdSets, _) = await ns.Objects<V1StatefulSet>().ListAsync(selector, null, ns.Cancellation);
        var (createdJobs, _) = await ns.Objects<V1Job>().ListAsync(selector, null, ns.Cancellation);
        Evidence.Observed($"created for {driver.Kind} `{Valid}` (`{selector}`)", Names([.. createdPods, .. createdServices, .. createdDeployments, .. createdSets, .. createdJobs]));
        // Negative control: there is something to be collected, so "nothing left" below is not vacuous.
        Assert.That(createdPods, Is.Not.Empty, $"pods labelled `{selector}` before the deletion");
        // What the garbage collector removes with the resource: what names it as owner, and what names those, down the chain.
        var dependents = (await Ownership.ReadAsync(ns, driver)).Dependents(uid);

        await driver.DeleteAsync(ns, Valid);
        await WaitCollectedAsync(pods, "Pod", selector, dependents, ns);
        await WaitCollectedAsync(services, "Service", selector, dependents, ns);
        await WaitCollectedAsync(deployments, "Deployment", selector, dependents, ns);
        await WaitCollectedAsync(statefulSets, "StatefulSet", selector, dependents, ns);
        await WaitCollectedAsync(jobs, "Job", selector, dependents, ns);
        Evidence.Observed("left behind", "nothing");
    }

    private static AiOperator Require(AiOperator? found) =>
        OperatorDetection.Cases.Require(found, "AI operator", searched =>
            Assert.Fail($"no AI operator is installed (looked for: {searched}); robust_controller is a MUST: install one (e.g. KubeRay with its webhooks), " +
                        $"or name yours with '{OperatorDetection.OperatorsKey}'"));

    /// <summary>
    /// The operator and its driver, once its controller is Ready and its webhooks' Services have a ready endpoint: until
    /// then the API server cannot call them, and a request refused for that says nothing of the operator.
    /// </summary>
    private static async Task<(AiOperator Operator, IOperatorDriver Driver)> DriveAsync(AiOperator? found)
    {
        var ai = Require(found);
        if (ai.Profile.Driver is null)
            Outcome.NeedsAttestation($"{ai.Summary} is installed, but this suite creates custom resources only for " +
                                     $"{string.Join(", ", OperatorProfile.Known.Where(known => known.Driver is not null).Select(known => known.Name))}; attach evidence that its " +
                                     "webhook denies an invalid resource, that a valid one is reconciled, and that its deletion removes what it owned");
        await ControllersReadyAsync(ai);
        var run = RunContext.Current;
        foreach (var service in ai.Webhooks.Select(webhook => webhook.ClientConfig.Service).OfType<Admissionregistrationv1ServiceReference>()
                     .DistinctBy(service => (service.NamespaceProperty, service.Name)))
            await ServiceEndpoints.WaitReadyAsync(run.Kubernetes, service.NamespaceProperty, run.Timeouts().PodRunning, run.Cancellation, service.Name);
        return (ai, ai.Profile.Driver!);
    }

    /// <summary>Waits for a Ready pod of each of the operator's controllers (any will do: a restart or a rollout replaces the pods seen at detection).</summary>
    private static async Task ControllersReadyAsync(AiOperator ai)
    {
        var run = RunContext.Current;
        foreach (var controller in ai.Controllers)
        {
            var seen = await Wait.For(new ClusterObjects<V1Pod>(run.Kubernetes, controller.Namespace).Watchable(labelSelector: controller.Selector))
                .Until($"a {ai.Name} controller pod labelled `{controller.Selector}` in {controller.Namespace} to be Ready", pods => pods.Any(PodWaits.IsReady))
                .DescribedBy(PodWaits.Describe).Within(run.Timeouts().PodRunning).Async(run.Cancellation);
            Evidence.Observed($"controller in {controller.Namespace}", string.Join("; ", seen.Where(PodWaits.IsReady).Select(PodWaits.Describe)));
        }
    }

    /// <summary>Waits until at least the driver's expected pods labelled as created for the resource exist, all meeting <paramref name="condition"/>.</summary>
    private static async Task<IReadOnlyList<V1Pod>> WaitCreatedPodsAsync(TestNamespace ns, IOperatorDriver driver, string what, Func<V1Pod, bool> condition, TimeSpan within)
    {
        var selector = driver.CreatedFor(Valid);
        return await Wait.For(ns.Objects<V1Pod>().Watchable(labelSelector: selector))
            .Until($"{driver.ExpectedPods} pods labelled `{selector}` {what}", pods => pods.Count >= driver.ExpectedPods && pods.All(condition))
            .DescribedBy(pods => $"[{PodWaits.Describe(pods)}]")
            .Within(within).Async(ns.Cancellation);
    }

    /// <summary>
    /// Waits until nothing of a kind that was created for the resource is left. The garbage collector removes only what
    /// names the deleted owner, or one of its dependents, in its owner references: one that does not is reported at
    /// once, as it never goes.
    /// </summary>
    private static async Task WaitCollectedAsync<T>(Watchable<T> created, string kind, string selector, IReadOnlySet<string> dependents, TestNamespace ns)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        bool Collectable(T item) => item.Metadata.OwnerReferences?.Any(reference => dependents.Contains(reference.Uid)) == true;
        var left = await Wait.For(created)
            .Until($"every {kind} labelled `{selector}` to be gone", seen => seen.Count == 0 || !seen.All(Collectable))
            .DescribedBy(seen => $"left behind: {string.Join(", ", seen.Select(item => $"{kind} {item.Metadata.Name} (owners: {Owners(item)})"))}")
            .Within(ns.Timeouts.Collected).Async(ns.Cancellation);
        Assert.That(left.Select(item => $"{kind} {item.Metadata.Name} (owners: {Owners(item)})"), Is.Empty,
            $"{kind}s created for the deleted resource whose owner references do not lead to it, so the garbage collector never removes them");
    }

    private static string Owners(IKubernetesObject<V1ObjectMeta> item) =>
        string.Join(", ", (item.Metadata.OwnerReferences ?? []).Select(reference => $"{reference.Kind}/{reference.Name}").DefaultIfEmpty("none"));

    private static string Names(IEnumerable<IKubernetesObject<V1ObjectMeta>> created) =>
        string.Join(", ", created.Select(item => $"{item.GetType().Name[2..]} {item.Metadata.Name}").DefaultIfEmpty("nothing"));
}
