using System.Net;
using System.Net.Sockets;
using AiConformance.Suite.Framework;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;

namespace AiConformance.Plugin.Running;

/// <summary>The Kubernetes client of a run and the version its API server reported.</summary>
public sealed record ClusterConnection(IKubernetes Kubernetes, string ServerVersion, string Server)
{
    private static readonly TimeSpan VersionTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Builds the client (given client, kubeconfig file, <c>KUBECONFIG</c>, <c>~/.kube/config</c> or in-cluster) and
    /// asks the API server for <c>/version</c>, which proves it is reachable and accepts the credentials.
    /// </summary>
    public static async Task<ClusterConnection> ConnectAsync(
        RunRequest request, IReadOnlyDictionary<string, string> environment, CancellationToken cancellation)
    {
        var (kubernetes, server) = request.Kubernetes is { } given
            ? (given, given.BaseUri?.ToString() ?? "the given client")
            : Build(request.KubeconfigPath, environment);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(VersionTimeout);
        try
        {
            var version = await kubernetes.Version.GetCodeAsync(timeout.Token).ConfigureAwait(false);
            return new ClusterConnection(kubernetes, version.GitVersion ?? $"v{version.Major}.{version.Minor}", server);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw Unreachable($"the Kubernetes API server at {server} refused the credentials ({(int)e.Response.StatusCode} {e.Response.StatusCode}); hint: check the kubeconfig's user and that its token or certificate is still valid");
        }
        catch (HttpOperationException e)
        {
            throw Unreachable($"the Kubernetes API server at {server} answered /version with {(int)e.Response.StatusCode} {e.Response.StatusCode}; hint: check that the kubeconfig points at a Kubernetes API server");
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw Unreachable($"the Kubernetes API server at {server} did not answer within {VersionTimeout.TotalSeconds:0} s; hint: check the network path to the cluster");
        }
        catch (System.Text.Json.JsonException)
        {
            throw Unreachable($"the server at {server} does not answer /version like a Kubernetes API server; hint: check the kubeconfig's server address");
        }
        catch (HttpRequestException e)
        {
            throw Unreachable($"cannot reach the Kubernetes API server at {server}: {Reason(e)}; hint: check the kubeconfig's server address and that the cluster is running");
        }
    }

    private static (IKubernetes Kubernetes, string Server) Build(string? kubeconfigPath, IReadOnlyDictionary<string, string> environment)
    {
        KubernetesClientConfiguration configuration;
        var path = kubeconfigPath ?? environment.GetValueOrDefault("KUBECONFIG");
        try
        {
            if (path is null && KubernetesClientConfiguration.IsInCluster())
            {
                configuration = KubernetesClientConfiguration.InClusterConfig();
            }
            else
            {
                path ??= Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
                if (!File.Exists(path))
                {
                    throw new RunSetupException(ExitCodes.UsageError,
                        $"kubeconfig {path} does not exist; hint: pass --kubeconfig FILE or set KUBECONFIG");
                }
                if (string.IsNullOrWhiteSpace(File.ReadAllText(path)))
                {
                    throw new RunSetupException(ExitCodes.UsageError,
                        $"kubeconfig {path} is empty; hint: pass --kubeconfig FILE or set KUBECONFIG");
                }
                configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
            }
        }
        catch (Exception e) when (e is KubeConfigException or IOException or UnauthorizedAccessException or FormatException
                                       or YamlDotNet.Core.YamlException or ArgumentException or NullReferenceException)
        {
            // The client's parser fails with a NullReferenceException on some incomplete files; say so plainly.
            var reason = e is NullReferenceException ? "it is not a complete kubeconfig" : FirstLine(e.Message);
            throw new RunSetupException(ExitCodes.UsageError,
                $"cannot read kubeconfig {path ?? "(in-cluster)"}: {reason}; hint: check the file with 'kubectl --kubeconfig {path} config view'");
        }
        // The same transient-error retries as under `dotnet test`, so fixtures fail for what the cluster does.
        return (new Kubernetes(configuration, new TransientErrorRetryHandler()), configuration.Host ?? "(unknown)");
    }

    private static string Reason(HttpRequestException e) => e.InnerException switch
    {
        SocketException socket => socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            SocketError.TimedOut => "connection timed out",
            _ => socket.Message,
        },
        { } inner => FirstLine(inner.Message),
        null => FirstLine(e.Message),
    };

    private static string FirstLine(string text) => text.Split('\n')[0].Trim().TrimEnd('.');

    private static RunSetupException Unreachable(string message) => new(ExitCodes.ClusterUnreachable, message);
}
