using PaliCuda.Cli;

// `palicuda`: the engine's command-line front end (commands in PaliCudaCli, error contract in CliRunner).
return await CliRunner.InvokeAsync(PaliCudaCli.CreateRootCommand(), args);
