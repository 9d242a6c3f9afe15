using MimeKit;

namespace MultiLine.Core.Invitations.Outbox;

/// <summary>Turns an outbox row into a MIME message: HTML and plain-text alternatives plus attachments.</summary>
public static class OutboxMime
{
    public static MimeMessage Build(EmailMessage message, SmtpOptions options)
    {
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(options.FromName, options.FromAddress));
        mime.To.Add(new MailboxAddress(message.ToName ?? "", message.ToAddress));
        mime.Subject = message.Subject;
        mime.Date = new DateTimeOffset(DateTime.SpecifyKind(message.CreatedAtUtc, DateTimeKind.Utc));
        mime.MessageId = $"outbox-{message.Id}.{message.CreatedAtUtc.Ticks}@multiline.portal";
        var body = new BodyBuilder { HtmlBody = message.HtmlBody, TextBody = message.TextBody };
        foreach (var attachment in message.Attachments)
        {
            // Base64 keeps the file byte for byte (a text part would get its line endings rewritten).
            if (body.Attachments.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType)) is MimePart part)
                part.ContentTransferEncoding = ContentEncoding.Base64;
        }
        mime.Body = body.ToMessageBody();
        return mime;
    }
}
