using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AiConformance.Plugin.Tests.Support;

/// <summary>
/// A loopback HTTP server standing in for the two endpoints the runner talks to without fixtures: the Kubernetes
/// API's <c>/version</c> and Sonobuoy's <c>/progress</c>. It records every request body it receives.
/// </summary>
public sealed class FakeApiServer : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public FakeApiServer(string gitVersion = "v1.35.2", HttpStatusCode versionStatus = HttpStatusCode.OK)
    {
        GitVersion = gitVersion;
        VersionStatus = versionStatus;
        Port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        listener.Prefixes.Add($"http://localhost:{Port}/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    /// <summary>Pass as the git version to get a server that answers /version with a web page.</summary>
    public const string NotKubernetes = "not-kubernetes";

    public int Port { get; }
    public string GitVersion { get; }
    public HttpStatusCode VersionStatus { get; }
    public ConcurrentQueue<(string Path, string Body)> Requests { get; } = new();

    /// <summary>A kubeconfig pointing at this server, written to a temporary file.</summary>
    public string WriteKubeconfig(string directory) => Kubeconfigs.Write(directory, $"http://127.0.0.1:{Port}");

    /// <summary>A loopback port nothing listens on.</summary>
    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var path = context.Request.Url!.AbsolutePath.TrimEnd('/');
            Requests.Enqueue((path, body));
            var (status, answer) = path switch
            {
                "/version" when GitVersion == NotKubernetes => (200, "<html>a web page</html>"),
                "/version" when VersionStatus == HttpStatusCode.OK =>
                    (200, $$"""{"major":"1","minor":"35","gitVersion":"{{GitVersion}}","platform":"linux/amd64"}"""),
                "/version" => ((int)VersionStatus, """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","code":401}"""),
                "/progress" => (200, ""),
                _ => (404, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"""),
            };
            var bytes = Encoding.UTF8.GetBytes(answer);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Close();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        stop.Dispose();
    }
}

/// <summary>Kubeconfig files for tests.</summary>
public static class Kubeconfigs
{
    public static string Write(string directory, string server)
    {
        var path = Path.Combine(directory, $"kubeconfig-{Guid.NewGuid():N}");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: {server}
                insecure-skip-tls-verify: true
            contexts:
            - name: test
              context: {"{"}cluster: test, user: test{"}"}
            current-context: test
            users:
            - name: test
              user: {"{"}token: test-token{"}"}
            """);
        return path;
    }

    /// <summary>A kubeconfig whose server is a closed loopback port: connections are refused at once.</summary>
    public static string PointingAtClosedPort(string directory) => Write(directory, $"https://127.0.0.1:{FakeApiServer.FreePort()}");
}
