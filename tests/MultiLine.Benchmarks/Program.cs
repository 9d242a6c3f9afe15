using BenchmarkDotNet.Running;
using MultiLine.Benchmarks;

// "pipeline" runs the import pipeline against its raw floors (seven scenarios, one table), "batch" the
// batch-processing bench (a table of seconds and peak memory), "accounts" the Accounts table's queries at 200,000
// accounts, "export" the accounts export of 200,000 accounts (time and peak memory); anything else goes to
// BenchmarkDotNet (e.g. --filter '*ImportValidation*').
if (args is ["pipeline", ..])
    return await MultiLine.Benchmarks.Pipeline.PipelineBench.RunAsync(args[1..]);
if (args is ["batch", ..])
    return await BatchProcessingBench.RunAsync(args[1..]);
if (args is ["export"])
    return await AccountsExportBench.RunAsync();
if (args is ["accounts"])
    return await AccountsTableBench.RunAsync();

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
