using AiConformance.Plugin.Cli;

return await CommandLineApp.InvokeAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
