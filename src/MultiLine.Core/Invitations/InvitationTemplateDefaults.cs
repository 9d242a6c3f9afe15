using MultiLine.Core.Accounts;

namespace MultiLine.Core.Invitations;

/// <summary>The built-in invitation email in each of the five account languages, used until an organization saves its own.</summary>
public static class InvitationTemplateDefaults
{
    public static TemplateContent For(Language language) => language switch
    {
        Language.Italian => Italian,
        Language.German => German,
        Language.French => French,
        Language.Spanish => Spanish,
        _ => English,
    };

    /// <summary>What {multiline_number} says when the account will pick its number at activation.</summary>
    public static string NumberChosenAtActivation(Language language) => language switch
    {
        Language.Italian => "(lo sceglierai durante l'attivazione)",
        Language.German => "(Sie wählen sie bei der Aktivierung)",
        Language.French => "(vous le choisirez lors de l'activation)",
        Language.Spanish => "(lo elegirás al activar tu cuenta)",
        _ => "(you will choose it when you activate)",
    };

    private static string Html(string heading, string greeting, string intro, string numberLabel, string usernameLabel, string button, string fallback, string closing) => $$"""
        <div style="font-family:Arial,Helvetica,sans-serif;max-width:560px;margin:0 auto;color:#1f2937">
          <h2 style="color:#1e3a8a">{{heading}}</h2>
          <p>{{greeting}}</p>
          <p>{{intro}}</p>
          <table style="margin:16px 0;border-collapse:collapse">
            <tr><td style="padding:4px 16px 4px 0;color:#64748b">{{usernameLabel}}</td><td><strong>{u_name}</strong></td></tr>
            <tr><td style="padding:4px 16px 4px 0;color:#64748b">{{numberLabel}}</td><td><strong>{multiline_number}</strong></td></tr>
          </table>
          <p><a href="{activation_link}" style="display:inline-block;background:#2563eb;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none">{{button}}</a></p>
          <p style="font-size:13px;color:#64748b">{{fallback}}<br>{activation_link}</p>
          <p>{{closing}}</p>
        </div>
        """;

    private static string Text(string greeting, string intro, string numberLabel, string usernameLabel, string action, string closing) => $$"""
        {{greeting}}

        {{intro}}

        {{usernameLabel}}: {u_name}
        {{numberLabel}}: {multiline_number}

        {{action}}
        {activation_link}

        {{closing}}
        """;

    public static readonly TemplateContent English = new(
        "Your MultiLine business number is ready, {f_name}",
        Html("Welcome to MultiLine", "Hello {f_name} {l_name},",
            "Your organization has set up a MultiLine account for you: a second, business phone number on your own phone.",
            "MultiLine number", "Username", "Activate my account",
            "If the button does not work, copy this link into your browser:",
            "The link works once and expires in a few days.<br>The MultiLine team"),
        Text("Hello {f_name} {l_name},",
            "Your organization has set up a MultiLine account for you: a second, business phone number on your own phone.",
            "MultiLine number", "Username", "Activate your account with this link:",
            "The link works once and expires in a few days.\nThe MultiLine team"));

    public static readonly TemplateContent Italian = new(
        "{f_name}, il tuo numero aziendale MultiLine è pronto",
        Html("Benvenuto in MultiLine", "Ciao {f_name} {l_name},",
            "La tua organizzazione ha creato per te un account MultiLine: un secondo numero di telefono aziendale sul tuo telefono.",
            "Numero MultiLine", "Nome utente", "Attiva il mio account",
            "Se il pulsante non funziona, copia questo link nel browser:",
            "Il link si può usare una sola volta e scade tra pochi giorni.<br>Il team MultiLine"),
        Text("Ciao {f_name} {l_name},",
            "La tua organizzazione ha creato per te un account MultiLine: un secondo numero di telefono aziendale sul tuo telefono.",
            "Numero MultiLine", "Nome utente", "Attiva il tuo account con questo link:",
            "Il link si può usare una sola volta e scade tra pochi giorni.\nIl team MultiLine"));

    public static readonly TemplateContent German = new(
        "{f_name}, Ihre geschäftliche MultiLine-Nummer ist bereit",
        Html("Willkommen bei MultiLine", "Hallo {f_name} {l_name},",
            "Ihre Organisation hat ein MultiLine-Konto für Sie eingerichtet: eine zweite, geschäftliche Telefonnummer auf Ihrem eigenen Telefon.",
            "MultiLine-Nummer", "Benutzername", "Konto aktivieren",
            "Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:",
            "Der Link ist nur einmal gültig und läuft in wenigen Tagen ab.<br>Ihr MultiLine-Team"),
        Text("Hallo {f_name} {l_name},",
            "Ihre Organisation hat ein MultiLine-Konto für Sie eingerichtet: eine zweite, geschäftliche Telefonnummer auf Ihrem eigenen Telefon.",
            "MultiLine-Nummer", "Benutzername", "Aktivieren Sie Ihr Konto mit diesem Link:",
            "Der Link ist nur einmal gültig und läuft in wenigen Tagen ab.\nIhr MultiLine-Team"));

    public static readonly TemplateContent French = new(
        "{f_name}, votre numéro professionnel MultiLine est prêt",
        Html("Bienvenue sur MultiLine", "Bonjour {f_name} {l_name},",
            "Votre organisation a créé un compte MultiLine pour vous : un second numéro de téléphone professionnel sur votre propre téléphone.",
            "Numéro MultiLine", "Nom d'utilisateur", "Activer mon compte",
            "Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur :",
            "Ce lien ne fonctionne qu'une fois et expire dans quelques jours.<br>L'équipe MultiLine"),
        Text("Bonjour {f_name} {l_name},",
            "Votre organisation a créé un compte MultiLine pour vous : un second numéro de téléphone professionnel sur votre propre téléphone.",
            "Numéro MultiLine", "Nom d'utilisateur", "Activez votre compte avec ce lien :",
            "Ce lien ne fonctionne qu'une fois et expire dans quelques jours.\nL'équipe MultiLine"));

    public static readonly TemplateContent Spanish = new(
        "{f_name}, tu número de empresa MultiLine está listo",
        Html("Bienvenido a MultiLine", "Hola {f_name} {l_name}:",
            "Tu organización ha creado una cuenta MultiLine para ti: un segundo número de teléfono de empresa en tu propio teléfono.",
            "Número MultiLine", "Nombre de usuario", "Activar mi cuenta",
            "Si el botón no funciona, copia este enlace en tu navegador:",
            "El enlace solo se puede usar una vez y caduca en pocos días.<br>El equipo de MultiLine"),
        Text("Hola {f_name} {l_name}:",
            "Tu organización ha creado una cuenta MultiLine para ti: un segundo número de teléfono de empresa en tu propio teléfono.",
            "Número MultiLine", "Nombre de usuario", "Activa tu cuenta con este enlace:",
            "El enlace solo se puede usar una vez y caduca en pocos días.\nEl equipo de MultiLine"));
}
