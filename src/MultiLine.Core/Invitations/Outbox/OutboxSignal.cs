namespace MultiLine.Core.Invitations.Outbox;

/// <summary>Wakes the <see cref="OutboxSender"/> when new messages were saved, so it need not wait for its next poll.</summary>
public sealed class OutboxSignal : Common.WakeSignal;
