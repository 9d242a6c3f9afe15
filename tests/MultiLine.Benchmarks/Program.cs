using BenchmarkDotNet.Running;
using MultiLine.Benchmarks;

// "batch" runs the batch-processing bench command (a table of seconds and peak memory);
// anything else goes to BenchmarkDotNet (e.g. --filter '*ImportValidation*').
if (args is ["batch", ..])
    return await BatchProcessingBench.RunAsync(args[1..]);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
