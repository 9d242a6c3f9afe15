using MultiLine.Core.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace MultiLine.Core.Batches;

public static class BatchExtensions
{
    /// <summary>The hosted batch service, its queue, its notifier and the row handlers.</summary>
    public static IHostApplicationBuilder AddMultiLineBatches(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BatchOptions>().BindConfiguration(BatchOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<BatchQueue>();
        builder.Services.AddSingleton<BatchProgressNotifier>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<BatchProcessor>();
        builder.Services.AddSingleton<ImportSubmission>();
        builder.Services.AddSingleton<AccountBatchSubmission>();
        builder.Services.AddSingleton<ImportUndo>();
        builder.Services.AddScoped<IBatchRowHandler, Accounts.MoveRowHandler>();
        builder.Services.AddScoped<IBatchRowHandler, Invitations.ResendRowHandler>();
        builder.Services.AddScoped<IBatchRowHandler, Accounts.UpdateRowHandler>();
        builder.Services.AddScoped<IBatchRowHandler, ImportRowHandler>();
        builder.Services.AddScoped<IBatchRowHandler, Accounts.AccountStatusRowHandler>();
        builder.Services.AddScoped<IBatchRowHandler, Accounts.EditSettingsRowHandler>();
        builder.Services.AddScoped<IBatchRowHandler, UndoImportRowHandler>();
        // Bulk Edit runs each row through the single edit (a worker-only node registers no account pages).
        builder.Services.TryAddSingleton<Accounts.AccountLifecycle>();
        builder.Services.AddHostedServiceFor<BatchWorker>(node => node.RunsBackgroundWork);
        // Beside the worker, since it keeps out of the batches' way (it waits while their rows are processed).
        builder.Services.AddOptions<Accounts.SearchIndexOptions>().BindConfiguration(Accounts.SearchIndexOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedServiceFor<Accounts.SearchIndexCatchUp>(node => node.RunsBackgroundWork);
        return builder;
    }
}
