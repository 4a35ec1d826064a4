using AiConformance.ClusterSim.Server;
using AiConformance.Suite.Framework;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>
/// List-then-watch through HTTP while another client keeps writing, with every watch event held back a random time:
/// each change is seen exactly once and in order.
/// </summary>
public sealed class WatchUnderConcurrentWritesTests : FidelityFixture
{
    protected override SimulatedApiServerOptions Options => new() { Faults = new ApiFaults { MaxEventDelay = TimeSpan.FromMilliseconds(20) } };

    [Test]
    public async Task ListThenWatchFromItsVersionSeesEveryConcurrentChangeOnceAndInOrder()
    {
        const int Changes = 200;
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("counter"), ns, cancellationToken: Timeout);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var writer = Task.Run(async () =>
        {
            for (var n = 1; n <= Changes; n++)
                await Admin.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch($"{{\"data\":{{\"k\":\"{n}\"}}}}", V1Patch.PatchType.MergePatch),
                    "counter", ns, cancellationToken: limit.Token);
        });
        static int Counter(V1ConfigMap cm) => cm.Data["k"] is var k && k == "v" ? 0 : int.Parse(k, System.Globalization.CultureInfo.InvariantCulture);

        var rounds = 0;
        for (var listed = 0; listed < Changes; rounds++)
        {
            var list = await Plugin.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: limit.Token);
            listed = Counter(list.Items.Single());
            var expected = listed + 1;
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
            if (expected > Changes) break;
            await foreach (var (type, cm) in Plugin.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: list.Metadata.ResourceVersion,
                               timeoutSeconds: 300, cancellationToken: watch.Token))
            {
                Assert.That((type, Counter(cm)), Is.EqualTo((WatchEventType.Modified, expected)),
                    $"round {rounds}: listed {listed} at version {list.Metadata.ResourceVersion}, then the watch skipped or repeated a change");
                // A few events per watch, so that most lists race the writer.
                if (++expected > Math.Min(listed + 3, Changes)) break;
            }
        }
        await writer;
        Assert.That(rounds, Is.GreaterThan(1), "the reader never raced the writer");
    }
}

/// <summary>Watch and log streams the server cuts in the middle of their body reach the client as transport errors.</summary>
public sealed class StreamCutTests : FidelityFixture
{
    private static readonly string LongLog = string.Concat(Enumerable.Range(0, 2_000).Select(i => $"line {i}\n"));

    protected override SimulatedApiServerOptions Options => new()
    {
        Faults = new ApiFaults { CutStreamRate = 1.0 },
        LogProvider = (_, _, _, _) => LongLog,
    };

    [Test]
    public async Task ACutWatchIsATransportErrorAndNeverACleanEnd()
    {
        var ns = await NewNamespaceAsync();
        for (var i = 0; i < 40; i++)
            await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"c{i}"), ns, cancellationToken: Timeout);

        var seen = 0;
        var error = await CaughtAsync(async () =>
        {
            await foreach (var _ in Plugin.CoreV1.WatchListNamespacedConfigMapAsync(ns, timeoutSeconds: 5, cancellationToken: Timeout)) seen++;
        });

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.Not.Null, "the watch ended cleanly although the server cut it");
            Assert.That(error is not null && TransientErrors.IsDroppedRead(error), Is.True, $"not a transport error: {error}");
            Assert.That(seen, Is.LessThan(40), "the cut came before the initial events were all sent");
        });
    }

    [Test]
    public async Task ACutWatchOverHttp11IsALostConnection()
    {
        var ns = await NewNamespaceAsync();
        for (var i = 0; i < 40; i++)
            await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"c{i}"), ns, cancellationToken: Timeout);
        using var http = Server.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?watch=true&timeoutSeconds=5")
        {
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        // The reset may overtake the bytes sent before it, headers included.
        var error = await CaughtAsync(async () =>
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Timeout);
            await response.Content.ReadAsStringAsync(Timeout);
        });

        Assert.That(error is not null && TransientErrors.IsDroppedRead(error), Is.True, $"not a transport error: {error}");
    }

    [Test]
    public async Task ACutLogIsATransportErrorAndNeverAShortLog()
    {
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedPodAsync(Pod("logger"), ns, cancellationToken: Timeout);

        string? log = null;
        var error = await CaughtAsync(async () =>
        {
            await using var stream = await Plugin.CoreV1.ReadNamespacedPodLogAsync("logger", ns, cancellationToken: Timeout);
            log = await new StreamReader(stream).ReadToEndAsync(Timeout);
        });

        Assert.Multiple(() =>
        {
            Assert.That(log, Is.Null, "the client read a log the server had cut as if it were whole");
            Assert.That(error is not null && TransientErrors.IsDroppedRead(error), Is.True, $"not a transport error: {error}");
        });
    }

    [Test]
    public async Task TheAdminsStreamsAreNotCut()
    {
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedPodAsync(Pod("logger"), ns, cancellationToken: Timeout);
        await using var stream = await Admin.CoreV1.ReadNamespacedPodLogAsync("logger", ns, cancellationToken: Timeout);
        Assert.That(await new StreamReader(stream).ReadToEndAsync(Timeout), Is.EqualTo(LongLog));
    }

    private static async Task<Exception?> CaughtAsync(Func<Task> read)
    {
        try
        {
            await read();
            return null;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return error;
        }
    }
}
