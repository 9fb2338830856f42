//! Transactional email templates in pt-BR, es and en, each rendered as HTML and plain text.
//! Templates only supply localized pieces; one shared layout renders them, so escaping and branding live in one place.
use crate::i18n::Locale;

/// Who the message speaks for: the company's name and its brand colour (`#rrggbb` or None → default #4f46e5).
pub struct Brand<'a> {
    pub company: &'a str,
    pub color: Option<&'a str>,
}

/// One message's content, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// Every message Atrium sends. Links are absolute URLs built by the caller.
pub enum Template<'a> {
    /// Password recovery: link valid 60 minutes, single use.
    PasswordReset { name: &'a str, link: &'a str },
    /// After a password change (by reset or by the user): "if it wasn't you, reset it" with `reset_link` to the
    /// forgot-password page.
    PasswordChanged { name: &'a str, reset_link: &'a str },
    /// An invitation: `inviter` invites `name` to join the company; link valid 7 days.
    Invitation { name: &'a str, inviter: &'a str, link: &'a str },
    /// Confirm the owner's address after signup; link valid 7 days; unverified workspaces are removed after 7 days.
    VerifyEmail { name: &'a str, link: &'a str },
    /// The trial ends in `days_left` days (3) or today (0); `link` goes to the billing page.
    TrialEnding { name: &'a str, days_left: i64, link: &'a str },
    /// A payment is overdue; workspace may become read-only; `link` to billing.
    PaymentOverdue { name: &'a str, link: &'a str },
    /// The subscription was canceled; `link` to billing.
    SubscriptionCanceled { name: &'a str, link: &'a str },
    /// The plan changed to `plan` (display name); `link` to billing.
    PlanChanged { name: &'a str, plan: &'a str, link: &'a str },
    /// A sign-in from a browser not seen before: when (already formatted, UTC), client address, user agent; `link` to
    /// the forgot-password page ("if it wasn't you, change your password").
    NewSignIn { name: &'a str, when: &'a str, address: &'a str, browser: &'a str, link: &'a str },
    /// The account's email changed from `old` to `new` (sent to both addresses); `link` to forgot-password.
    EmailChanged { name: &'a str, old: &'a str, new: &'a str, link: &'a str },
    /// Too many wrong passwords for the account from `address`: sign-ins from there wait a while,
    /// other addresses are not affected; `link` to forgot-password.
    SignInsPaused { name: &'a str, address: &'a str, link: &'a str },
    /// Two-step sign-in was turned on or off (`enabled`), or reset by `by` (a manager), for the
    /// account; `link` to the profile page.
    MfaChanged { name: &'a str, enabled: bool, by: Option<&'a str>, link: &'a str },
    /// A webhook endpoint (`url`) failed for `days` days and was switched off; `link` to the
    /// webhooks page.
    WebhookDisabled { name: &'a str, url: &'a str, days: i64, link: &'a str },
}

impl Template<'_> {
    /// A stable machine name for the outbox's `kind` column: "password_reset", "password_changed", "invitation",
    /// "verify_email", "trial_ending", "payment_overdue", "subscription_canceled", "plan_changed", "new_sign_in",
    /// "email_changed", "sign_ins_paused", "mfa_changed".
    pub fn kind(&self) -> &'static str {
        match self {
            Template::PasswordReset { .. } => "password_reset",
            Template::PasswordChanged { .. } => "password_changed",
            Template::Invitation { .. } => "invitation",
            Template::VerifyEmail { .. } => "verify_email",
            Template::TrialEnding { .. } => "trial_ending",
            Template::PaymentOverdue { .. } => "payment_overdue",
            Template::SubscriptionCanceled { .. } => "subscription_canceled",
            Template::PlanChanged { .. } => "plan_changed",
            Template::NewSignIn { .. } => "new_sign_in",
            Template::EmailChanged { .. } => "email_changed",
            Template::SignInsPaused { .. } => "sign_ins_paused",
            Template::MfaChanged { .. } => "mfa_changed",
            Template::WebhookDisabled { .. } => "webhook_disabled",
        }
    }

    /// Every message is addressed to one person; the greeting is the layout's job, not each template's.
    fn recipient(&self) -> &str {
        match self {
            Template::PasswordReset { name, .. }
            | Template::PasswordChanged { name, .. }
            | Template::Invitation { name, .. }
            | Template::VerifyEmail { name, .. }
            | Template::TrialEnding { name, .. }
            | Template::PaymentOverdue { name, .. }
            | Template::SubscriptionCanceled { name, .. }
            | Template::PlanChanged { name, .. }
            | Template::NewSignIn { name, .. }
            | Template::EmailChanged { name, .. }
            | Template::SignInsPaused { name, .. }
            | Template::MfaChanged { name, .. }
            | Template::WebhookDisabled { name, .. } => name,
        }
    }
}

pub fn render(template: &Template<'_>, locale: Locale, brand: &Brand<'_>) -> Content {
    let pieces = pieces(template, locale, brand.company);
    let greeting = greeting(locale, template.recipient());
    let color = brand_color(brand.color);
    Content {
        // A subject is a header line: a CR/LF smuggled in through a name could add headers (e.g. Bcc).
        subject: one_line(&pieces.subject),
        html: render_html(locale, brand.company, &color, &greeting, &pieces),
        text: render_text(locale, brand.company, &greeting, &pieces),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Shared layout
// ---------------------------------------------------------------------------------------------------------------

const DEFAULT_COLOR: &str = "#4f46e5";

/// System fonts only: web fonts are blocked or ignored by most email clients.
const FONT: &str = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";

/// What a template supplies. Values are raw text; the layout escapes them for HTML, so no template can forget to.
struct Pieces<'a> {
    subject: String,
    paragraphs: Vec<String>,
    button: Option<Button<'a>>,
    closing: Option<String>,
}

struct Button<'a> {
    label: &'static str,
    url: &'a str,
}

impl<'a> Pieces<'a> {
    fn new(subject: String, paragraphs: Vec<String>) -> Self {
        Pieces { subject, paragraphs, button: None, closing: None }
    }

    fn with_button(mut self, label: &'static str, url: &'a str) -> Self {
        self.button = Some(Button { label, url });
        self
    }

    fn with_closing(mut self, line: &str) -> Self {
        self.closing = Some(line.to_string());
        self
    }
}

fn render_html(locale: Locale, company: &str, color: &str, greeting: &str, pieces: &Pieces<'_>) -> String {
    let lang = locale.tag();
    let title = escape(&one_line(&pieces.subject));
    let header = escape(company);
    let footer = escape(&footer(locale, company));
    let mut body = paragraph_html(greeting);
    for text in &pieces.paragraphs {
        body.push_str(&paragraph_html(text));
    }
    if let Some(button) = &pieces.button {
        body.push_str(&button_html(locale, color, button));
    }
    if let Some(closing) = &pieces.closing {
        body.push_str(&format!(
            r#"<p style="margin:0 0 16px;font-size:14px;line-height:22px;color:#6b7280;">{}</p>"#,
            escape(closing)
        ));
    }
    format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{title}</title>
</head>
<body style="margin:0;padding:0;background-color:#f4f4f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f4f7;">
<tr>
<td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background-color:#ffffff;border-radius:8px;">
<tr>
<td bgcolor="{color}" style="background-color:{color};padding:20px 32px;border-radius:8px 8px 0 0;{FONT}font-size:20px;line-height:28px;font-weight:bold;color:#ffffff;">{header}</td>
</tr>
<tr>
<td style="padding:32px;{FONT}font-size:16px;line-height:24px;color:#1f2937;">
{body}</td>
</tr>
<tr>
<td style="padding:16px 32px 24px;border-top:1px solid #e5e7eb;{FONT}font-size:12px;line-height:18px;color:#9ca3af;">{footer}</td>
</tr>
</table>
</td>
</tr>
</table>
</body>
</html>
"#
    )
}

/// Line breaks in a piece (the sign-in details) become `<br>` after escaping, never before.
fn paragraph_html(text: &str) -> String {
    let html = escape(text).replace('\n', "<br>");
    format!("<p style=\"margin:0 0 16px;\">{html}</p>\n")
}

/// A bulletproof button (coloured cell around a link), then the raw URL for clients that strip or block buttons.
fn button_html(locale: Locale, color: &str, button: &Button<'_>) -> String {
    let url = escape(button.url);
    let label = escape(button.label);
    let hint = escape(link_hint(locale));
    format!(
        r#"<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 24px;">
<tr>
<td bgcolor="{color}" style="background-color:{color};border-radius:6px;">
<a href="{url}" target="_blank" style="display:inline-block;padding:12px 24px;{FONT}font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">{label}</a>
</td>
</tr>
</table>
<p style="margin:0 0 16px;font-size:13px;line-height:20px;color:#6b7280;">{hint}<br><a href="{url}" target="_blank" style="color:{color};word-break:break-all;">{url}</a></p>
"#
    )
}

/// Same content as the HTML, block by block; the URL gets a line of its own so clients can make it clickable.
fn render_text(locale: Locale, company: &str, greeting: &str, pieces: &Pieces<'_>) -> String {
    let mut blocks = vec![company.to_string(), greeting.to_string()];
    blocks.extend(pieces.paragraphs.iter().cloned());
    if let Some(button) = &pieces.button {
        blocks.push(format!("{}:\n{}", button.label, button.url));
    }
    if let Some(closing) = &pieces.closing {
        blocks.push(closing.clone());
    }
    blocks.push(format!("--\n{}", footer(locale, company)));
    let mut text = blocks.join("\n\n");
    text.push('\n');
    text
}

fn greeting(locale: Locale, name: &str) -> String {
    let name = one_line(name);
    // Without a name, a bare salutation reads better than "Hi ,".
    match (locale, name.is_empty()) {
        (Locale::PtBr, false) => format!("Olá, {name},"),
        (Locale::PtBr, true) => "Olá,".to_string(),
        (Locale::Es, false) => format!("Hola, {name}:"),
        (Locale::Es, true) => "Hola:".to_string(),
        (Locale::En, false) => format!("Hi {name},"),
        (Locale::En, true) => "Hello,".to_string(),
    }
}

fn link_hint(locale: Locale) -> &'static str {
    match locale {
        Locale::PtBr => "Se o botão não funcionar, copie e cole este link no seu navegador:",
        Locale::Es => "Si el botón no funciona, copia y pega este enlace en tu navegador:",
        Locale::En => "If the button doesn't work, copy and paste this link into your browser:",
    }
}

fn footer(locale: Locale, company: &str) -> String {
    match locale {
        Locale::PtBr => format!("Enviado pelo Atrium em nome de {company}."),
        Locale::Es => format!("Enviado por Atrium en nombre de {company}."),
        Locale::En => format!("Sent by Atrium on behalf of {company}."),
    }
}

/// The colour ends up inside `style` and `bgcolor`; anything but a plain hex colour could inject CSS, so it falls back.
fn brand_color(color: Option<&str>) -> String {
    color.and_then(hex_color).unwrap_or_else(|| DEFAULT_COLOR.to_string())
}

/// `#rgb` is expanded to `#rrggbb`: older clients read `bgcolor` with legacy rules that handle six digits best.
fn hex_color(color: &str) -> Option<String> {
    let digits = color.trim().strip_prefix('#')?;
    if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let six: String = match digits.len() {
        6 => digits.to_string(),
        3 => digits.chars().flat_map(|c| [c, c]).collect(),
        _ => return None,
    };
    Some(format!("#{}", six.to_ascii_lowercase()))
}

/// Escapes text for both element content and quoted attribute values.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Control characters (CR, LF, tabs, NUL…) become spaces and runs of whitespace collapse, keeping a value on one line.
fn one_line(raw: &str) -> String {
    let spaced: String = raw.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------------------------
// Copy
// ---------------------------------------------------------------------------------------------------------------

fn pieces<'a>(template: &Template<'a>, locale: Locale, company: &str) -> Pieces<'a> {
    match *template {
        Template::PasswordReset { link, .. } => password_reset(locale, company, link),
        Template::PasswordChanged { reset_link, .. } => password_changed(locale, company, reset_link),
        Template::Invitation { inviter, link, .. } => invitation(locale, company, inviter, link),
        Template::VerifyEmail { link, .. } => verify_email(locale, company, link),
        Template::TrialEnding { days_left, link, .. } => trial_ending(locale, company, days_left, link),
        Template::PaymentOverdue { link, .. } => payment_overdue(locale, company, link),
        Template::SubscriptionCanceled { link, .. } => subscription_canceled(locale, company, link),
        Template::PlanChanged { plan, link, .. } => plan_changed(locale, company, plan, link),
        Template::NewSignIn { when, address, browser, link, .. } => {
            new_sign_in(locale, company, SignIn { when, address, browser }, link)
        }
        Template::EmailChanged { old, new, link, .. } => email_changed(locale, company, old, new, link),
        Template::SignInsPaused { address, link, .. } => sign_ins_paused(locale, company, address, link),
        Template::MfaChanged { enabled, by, link, .. } => mfa_changed(locale, company, enabled, by, link),
        Template::WebhookDisabled { url, days, link, .. } => webhook_disabled(locale, company, url, days, link),
    }
}

fn webhook_disabled<'a>(locale: Locale, company: &str, url: &str, days: i64, link: &'a str) -> Pieces<'a> {
    let url = one_line(url);
    match locale {
        Locale::PtBr => Pieces::new(
            format!("Webhook desativado — {company}"),
            vec![
                format!("Todas as entregas para o endpoint {url} falharam nos últimos {days} dias, então o Atrium o desativou."),
                "Os eventos deixaram de ser enviados para ele. Corrija o receptor e reative o endpoint na página de webhooks; use \"Enviar teste\" para conferir.".to_string(),
            ],
        )
        .with_button("Ver webhooks", link),
        Locale::Es => Pieces::new(
            format!("Webhook desactivado — {company}"),
            vec![
                format!("Todas las entregas al endpoint {url} fallaron en los últimos {days} días, así que Atrium lo desactivó."),
                "Los eventos ya no se le envían. Corrige el receptor y reactiva el endpoint en la página de webhooks; usa \"Enviar prueba\" para comprobarlo.".to_string(),
            ],
        )
        .with_button("Ver webhooks", link),
        Locale::En => Pieces::new(
            format!("Webhook switched off — {company}"),
            vec![
                format!("Every delivery to the endpoint {url} failed for the last {days} days, so Atrium switched it off."),
                "Events are no longer sent to it. Fix the receiver, then turn the endpoint back on from the webhooks page; use \"Send test\" to check it.".to_string(),
            ],
        )
        .with_button("View webhooks", link),
    }
}

fn sign_ins_paused<'a>(locale: Locale, company: &str, address: &str, link: &'a str) -> Pieces<'a> {
    let address = one_line(address);
    match locale {
        Locale::PtBr => Pieces::new(
            format!("Tentativas de acesso bloqueadas — {company}"),
            vec![
                format!("Houve várias tentativas de entrar na sua conta em {company} com a senha errada, a partir do endereço IP {address}."),
                "Por alguns minutos, novas tentativas desse endereço serão recusadas. Você continua podendo entrar normalmente de onde costuma acessar.".to_string(),
                "Se não foi você, troque sua senha e ative a verificação em duas etapas no seu perfil.".to_string(),
            ],
        )
        .with_button("Trocar senha", link),
        Locale::Es => Pieces::new(
            format!("Intentos de acceso bloqueados — {company}"),
            vec![
                format!("Hubo varios intentos de entrar en tu cuenta de {company} con una contraseña incorrecta, desde la dirección IP {address}."),
                "Durante unos minutos se rechazarán los nuevos intentos desde esa dirección. Tú puedes seguir entrando con normalidad desde donde sueles hacerlo.".to_string(),
                "Si no fuiste tú, cambia tu contraseña y activa la verificación en dos pasos en tu perfil.".to_string(),
            ],
        )
        .with_button("Cambiar contraseña", link),
        Locale::En => Pieces::new(
            format!("Sign-in attempts blocked — {company}"),
            vec![
                format!("Someone tried several times to sign in to your {company} account with a wrong password, from IP address {address}."),
                "For a few minutes, further attempts from that address will be refused. You can still sign in as usual from where you normally do.".to_string(),
                "If this wasn't you, change your password and turn on two-step verification in your profile.".to_string(),
            ],
        )
        .with_button("Change password", link),
    }
}

fn mfa_changed<'a>(locale: Locale, company: &str, enabled: bool, by: Option<&str>, link: &'a str) -> Pieces<'a> {
    let by = by.map(one_line);
    let (subject, body, warning, button) = match (locale, enabled, &by) {
        (Locale::PtBr, true, _) => ("Verificação em duas etapas ativada", format!("A verificação em duas etapas foi ativada na sua conta em {company}."), "Se não foi você, avise o administrador da sua empresa agora.", "Ver meu perfil"),
        (Locale::PtBr, false, Some(by)) => ("Verificação em duas etapas redefinida", format!("{by} redefiniu a verificação em duas etapas da sua conta em {company}. No próximo acesso, configure-a de novo no seu aplicativo autenticador."), "Se você não pediu isso, avise o administrador da sua empresa.", "Ver meu perfil"),
        (Locale::PtBr, false, None) => ("Verificação em duas etapas desativada", format!("A verificação em duas etapas foi desativada na sua conta em {company}."), "Se não foi você, troque sua senha e ative-a de novo.", "Ver meu perfil"),
        (Locale::Es, true, _) => ("Verificación en dos pasos activada", format!("Se activó la verificación en dos pasos en tu cuenta de {company}."), "Si no fuiste tú, avisa ahora al administrador de tu empresa.", "Ver mi perfil"),
        (Locale::Es, false, Some(by)) => ("Verificación en dos pasos restablecida", format!("{by} restableció la verificación en dos pasos de tu cuenta de {company}. En tu próximo acceso, configúrala de nuevo en tu aplicación de autenticación."), "Si no lo pediste, avisa al administrador de tu empresa.", "Ver mi perfil"),
        (Locale::Es, false, None) => ("Verificación en dos pasos desactivada", format!("Se desactivó la verificación en dos pasos en tu cuenta de {company}."), "Si no fuiste tú, cambia tu contraseña y actívala de nuevo.", "Ver mi perfil"),
        (Locale::En, true, _) => ("Two-step verification turned on", format!("Two-step verification was turned on for your {company} account."), "If this wasn't you, tell your company's administrator right away.", "View my profile"),
        (Locale::En, false, Some(by)) => ("Two-step verification reset", format!("{by} reset two-step verification for your {company} account. Next time you sign in, set it up again in your authenticator app."), "If you didn't ask for this, tell your company's administrator.", "View my profile"),
        (Locale::En, false, None) => ("Two-step verification turned off", format!("Two-step verification was turned off for your {company} account."), "If this wasn't you, change your password and turn it back on.", "View my profile"),
    };
    Pieces::new(format!("{subject} — {company}"), vec![body, warning.to_string()]).with_button(button, link)
}

fn password_reset<'a>(locale: Locale, company: &str, link: &'a str) -> Pieces<'a> {
    match locale {
        Locale::PtBr => Pieces::new(
            format!("Redefina sua senha do Atrium — {company}"),
            vec![
                format!("Recebemos um pedido para redefinir a senha da sua conta em {company}."),
                "Clique no botão abaixo para escolher uma nova senha. O link é válido por 60 minutos e só pode \
                 ser usado uma vez."
                    .to_string(),
            ],
        )
        .with_button("Redefinir senha", link)
        .with_closing("Se você não pediu a redefinição, ignore este e-mail: sua senha continua a mesma."),
        Locale::Es => Pieces::new(
            format!("Restablece tu contraseña de Atrium — {company}"),
            vec![
                format!("Recibimos una solicitud para restablecer la contraseña de tu cuenta en {company}."),
                "Haz clic en el botón de abajo para elegir una nueva contraseña. El enlace es válido durante \
                 60 minutos y solo se puede usar una vez."
                    .to_string(),
            ],
        )
        .with_button("Restablecer contraseña", link)
        .with_closing("Si no solicitaste este cambio, ignora este correo: tu contraseña seguirá siendo la misma."),
        Locale::En => Pieces::new(
            format!("Reset your Atrium password — {company}"),
            vec![
                format!("We received a request to reset the password for your {company} account."),
                "Click the button below to choose a new password. The link is valid for 60 minutes and can only \
                 be used once."
                    .to_string(),
            ],
        )
        .with_button("Reset password", link)
        .with_closing("If you didn't ask for this, you can ignore this email: your password will stay the same."),
    }
}

fn password_changed<'a>(locale: Locale, company: &str, reset_link: &'a str) -> Pieces<'a> {
    match locale {
        Locale::PtBr => Pieces::new(
            "Sua senha foi alterada".to_string(),
            vec![
                format!("A senha da sua conta em {company} acabou de ser alterada."),
                "Se foi você, não precisa fazer nada. Se não foi, redefina sua senha agora e avise o \
                 administrador da sua empresa."
                    .to_string(),
            ],
        )
        .with_button("Redefinir senha", reset_link),
        Locale::Es => Pieces::new(
            "Se cambió tu contraseña".to_string(),
            vec![
                format!("La contraseña de tu cuenta en {company} se acaba de cambiar."),
                "Si fuiste tú, no tienes que hacer nada. Si no, restablece tu contraseña ahora y avisa al \
                 administrador de tu empresa."
                    .to_string(),
            ],
        )
        .with_button("Restablecer contraseña", reset_link),
        Locale::En => Pieces::new(
            "Your password was changed".to_string(),
            vec![
                format!("The password for your {company} account was just changed."),
                "If this was you, there's nothing else to do. If it wasn't, reset your password right away and \
                 let your company's administrator know."
                    .to_string(),
            ],
        )
        .with_button("Reset password", reset_link),
    }
}

fn invitation<'a>(locale: Locale, company: &str, inviter: &str, link: &'a str) -> Pieces<'a> {
    match locale {
        Locale::PtBr => Pieces::new(
            format!("{inviter} convidou você para {company} no Atrium"),
            vec![
                format!("{inviter} convidou você para fazer parte da equipe {company} no Atrium."),
                "Aceite o convite pelo botão abaixo e escolha sua senha. O link é válido por 7 dias e só pode \
                 ser usado uma vez."
                    .to_string(),
            ],
        )
        .with_button("Aceitar convite", link)
        .with_closing("Se você não esperava este convite, ignore este e-mail."),
        Locale::Es => Pieces::new(
            format!("{inviter} te invitó a {company} en Atrium"),
            vec![
                format!("{inviter} te invitó a unirte al equipo de {company} en Atrium."),
                "Acepta la invitación con el botón de abajo y elige tu contraseña. El enlace es válido durante \
                 7 días y solo se puede usar una vez."
                    .to_string(),
            ],
        )
        .with_button("Aceptar invitación", link)
        .with_closing("Si no esperabas esta invitación, ignora este correo."),
        Locale::En => Pieces::new(
            format!("{inviter} invited you to {company} on Atrium"),
            vec![
                format!("{inviter} has invited you to join the {company} team on Atrium."),
                "Accept the invitation with the button below and choose your password. The link is valid for \
                 7 days and can only be used once."
                    .to_string(),
            ],
        )
        .with_button("Accept invitation", link)
        .with_closing("If you weren't expecting this invitation, you can ignore this email."),
    }
}

fn verify_email<'a>(locale: Locale, company: &str, link: &'a str) -> Pieces<'a> {
    match locale {
        Locale::PtBr => Pieces::new(
            format!("Confirme seu e-mail — {company}"),
            vec![
                format!("Falta pouco para começar a usar o Atrium com {company}."),
                "Confirme seu endereço de e-mail pelo botão abaixo. O link é válido por 7 dias; espaços de \
                 trabalho não confirmados nesse prazo são removidos."
                    .to_string(),
            ],
        )
        .with_button("Confirmar e-mail", link)
        .with_closing("Se você não criou esta conta, ignore este e-mail."),
        Locale::Es => Pieces::new(
            format!("Confirma tu correo electrónico — {company}"),
            vec![
                format!("Ya casi puedes empezar a usar Atrium con {company}."),
                "Confirma tu dirección de correo con el botón de abajo. El enlace es válido durante 7 días; los \
                 espacios de trabajo que no se confirman en ese plazo se eliminan."
                    .to_string(),
            ],
        )
        .with_button("Confirmar correo", link)
        .with_closing("Si no creaste esta cuenta, ignora este correo."),
        Locale::En => Pieces::new(
            format!("Confirm your email — {company}"),
            vec![
                format!("You're almost ready to start using Atrium with {company}."),
                "Please confirm your email address with the button below. The link is valid for 7 days; \
                 workspaces that aren't confirmed within that time are removed."
                    .to_string(),
            ],
        )
        .with_button("Confirm email", link)
        .with_closing("If you didn't create this account, you can ignore this email."),
    }
}

/// "today", "tomorrow" or "in N days": the scheduler sends 3 and 0, but any count should still read naturally.
fn days_phrase(locale: Locale, days_left: i64) -> String {
    match (locale, days_left) {
        (Locale::PtBr, ..=0) => "hoje".to_string(),
        (Locale::PtBr, 1) => "amanhã".to_string(),
        (Locale::PtBr, n) => format!("em {n} dias"),
        (Locale::Es, ..=0) => "hoy".to_string(),
        (Locale::Es, 1) => "mañana".to_string(),
        (Locale::Es, n) => format!("en {n} días"),
        (Locale::En, ..=0) => "today".to_string(),
        (Locale::En, 1) => "tomorrow".to_string(),
        (Locale::En, n) => format!("in {n} days"),
    }
}

fn trial_ending<'a>(locale: Locale, company: &str, days_left: i64, link: &'a str) -> Pieces<'a> {
    let when = days_phrase(locale, days_left);
    match locale {
        Locale::PtBr => Pieces::new(
            format!("Seu período de teste termina {when}"),
            vec![
                format!("O período de teste do Atrium para {company} termina {when}."),
                "Para continuar usando sem interrupção, escolha um plano e cadastre uma forma de pagamento."
                    .to_string(),
            ],
        )
        .with_button("Escolher um plano", link),
        Locale::Es => Pieces::new(
            format!("Tu período de prueba termina {when}"),
            vec![
                format!("El período de prueba de Atrium para {company} termina {when}."),
                "Para seguir usándolo sin interrupciones, elige un plan y agrega un método de pago.".to_string(),
            ],
        )
        .with_button("Elegir un plan", link),
        Locale::En => Pieces::new(
            format!("Your trial ends {when}"),
            vec![
                format!("The Atrium trial for {company} ends {when}."),
                "To keep using it without interruption, choose a plan and add a payment method.".to_string(),
            ],
        )
        .with_button("Choose a plan", link),
    }
}

fn payment_overdue<'a>(locale: Locale, company: &str, link: &'a str) -> Pieces<'a> {
    match locale {
        Locale::PtBr => Pieces::new(
            format!("Pagamento em atraso — {company}"),
            vec![
                format!("Não conseguimos confirmar o último pagamento da assinatura do Atrium de {company}."),
                "Atualize a forma de pagamento para evitar que o espaço de trabalho fique somente leitura.".to_string(),
            ],
        )
        .with_button("Atualizar pagamento", link)
        .with_closing("Se o pagamento já foi feito, desconsidere esta mensagem."),
        Locale::Es => Pieces::new(
            format!("Pago atrasado — {company}"),
            vec![
                format!("No pudimos confirmar el último pago de la suscripción de Atrium de {company}."),
                "Actualiza el método de pago para evitar que el espacio de trabajo quede en modo de solo lectura."
                    .to_string(),
            ],
        )
        .with_button("Actualizar pago", link)
        .with_closing("Si ya realizaste el pago, puedes ignorar este mensaje."),
        Locale::En => Pieces::new(
            format!("Payment overdue — {company}"),
            vec![
                format!("We couldn't confirm the latest payment for the {company} Atrium subscription."),
                "Please update the payment method to keep the workspace from becoming read-only.".to_string(),
            ],
        )
        .with_button("Update payment", link)
        .with_closing("If you've already paid, you can disregard this message."),
    }
}

fn subscription_canceled<'a>(locale: Locale, company: &str, link: &'a str) -> Pieces<'a> {
    match locale {
        Locale::PtBr => Pieces::new(
            format!("Assinatura cancelada — {company}"),
            vec![
                format!("A assinatura do Atrium de {company} foi cancelada."),
                "Você pode reativá-la quando quiser pela página de cobrança.".to_string(),
            ],
        )
        .with_button("Reativar assinatura", link),
        Locale::Es => Pieces::new(
            format!("Suscripción cancelada — {company}"),
            vec![
                format!("La suscripción de Atrium de {company} fue cancelada."),
                "Puedes reactivarla cuando quieras desde la página de facturación.".to_string(),
            ],
        )
        .with_button("Reactivar suscripción", link),
        Locale::En => Pieces::new(
            format!("Subscription canceled — {company}"),
            vec![
                format!("The Atrium subscription for {company} has been canceled."),
                "You can reactivate it at any time from the billing page.".to_string(),
            ],
        )
        .with_button("Reactivate subscription", link),
    }
}

fn plan_changed<'a>(locale: Locale, company: &str, plan: &str, link: &'a str) -> Pieces<'a> {
    match locale {
        Locale::PtBr => Pieces::new(
            format!("Plano alterado para {plan} — {company}"),
            vec![
                format!("O plano do Atrium de {company} foi alterado para {plan}."),
                "Os valores e os limites do novo plano estão na página de cobrança.".to_string(),
            ],
        )
        .with_button("Ver detalhes do plano", link),
        Locale::Es => Pieces::new(
            format!("Plan cambiado a {plan} — {company}"),
            vec![
                format!("El plan de Atrium de {company} se cambió a {plan}."),
                "Encontrarás los precios y los límites del nuevo plan en la página de facturación.".to_string(),
            ],
        )
        .with_button("Ver detalles del plan", link),
        Locale::En => Pieces::new(
            format!("Plan changed to {plan} — {company}"),
            vec![
                format!("The Atrium plan for {company} has been changed to {plan}."),
                "You'll find the new plan's pricing and limits on the billing page.".to_string(),
            ],
        )
        .with_button("View plan details", link),
    }
}

/// The sign-in facts, grouped so the copy function keeps a short signature.
struct SignIn<'a> {
    when: &'a str,
    address: &'a str,
    browser: &'a str,
}

/// One fact per line; the user agent is client-controlled, so it is flattened to keep the block's shape.
fn sign_in_details(locale: Locale, sign_in: &SignIn<'_>) -> String {
    let [when_label, address_label, browser_label] = match locale {
        Locale::PtBr => ["Quando", "Endereço IP", "Navegador"],
        Locale::Es => ["Cuándo", "Dirección IP", "Navegador"],
        Locale::En => ["When", "IP address", "Browser"],
    };
    format!(
        "{when_label}: {}\n{address_label}: {}\n{browser_label}: {}",
        one_line(sign_in.when),
        one_line(sign_in.address),
        one_line(sign_in.browser)
    )
}

fn new_sign_in<'a>(locale: Locale, company: &str, sign_in: SignIn<'_>, link: &'a str) -> Pieces<'a> {
    let details = sign_in_details(locale, &sign_in);
    match locale {
        Locale::PtBr => Pieces::new(
            format!("Novo acesso à sua conta — {company}"),
            vec![
                format!("Houve um acesso à sua conta em {company} a partir de um navegador que ainda não conhecíamos."),
                details,
                "Se foi você, não precisa fazer nada. Se não foi, altere sua senha agora.".to_string(),
            ],
        )
        .with_button("Alterar senha", link),
        Locale::Es => Pieces::new(
            format!("Nuevo inicio de sesión en tu cuenta — {company}"),
            vec![
                format!("Se inició sesión en tu cuenta de {company} desde un navegador que no habíamos visto antes."),
                details,
                "Si fuiste tú, no tienes que hacer nada. Si no, cambia tu contraseña ahora.".to_string(),
            ],
        )
        .with_button("Cambiar contraseña", link),
        Locale::En => Pieces::new(
            format!("New sign-in to your account — {company}"),
            vec![
                format!("Someone signed in to your {company} account from a browser we hadn't seen before."),
                details,
                "If this was you, there's nothing else to do. If it wasn't, change your password right away."
                    .to_string(),
            ],
        )
        .with_button("Change password", link),
    }
}

fn email_changed<'a>(locale: Locale, company: &str, old: &str, new: &str, link: &'a str) -> Pieces<'a> {
    match locale {
        Locale::PtBr => Pieces::new(
            "Seu e-mail foi alterado".to_string(),
            vec![
                format!("O e-mail da sua conta em {company} foi alterado de {old} para {new}."),
                "Enviamos este aviso para os dois endereços. Se foi você, não precisa fazer nada.".to_string(),
                "Se não foi você, redefina sua senha agora e avise o administrador da sua empresa.".to_string(),
            ],
        )
        .with_button("Redefinir senha", link),
        Locale::Es => Pieces::new(
            "Se cambió tu correo electrónico".to_string(),
            vec![
                format!("El correo de tu cuenta en {company} se cambió de {old} a {new}."),
                "Enviamos este aviso a ambas direcciones. Si fuiste tú, no tienes que hacer nada.".to_string(),
                "Si no fuiste tú, restablece tu contraseña ahora y avisa al administrador de tu empresa.".to_string(),
            ],
        )
        .with_button("Restablecer contraseña", link),
        Locale::En => Pieces::new(
            "Your email address was changed".to_string(),
            vec![
                format!("The email address for your {company} account was changed from {old} to {new}."),
                "We've sent this notice to both addresses. If this was you, there's nothing else to do.".to_string(),
                "If it wasn't you, reset your password right away and let your company's administrator know."
                    .to_string(),
            ],
        )
        .with_button("Reset password", link),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://acme.example/reset?token=abc&next=/home";
    const LINK_HTML: &str = "https://acme.example/reset?token=abc&amp;next=/home";

    fn all(link: &str) -> Vec<Template<'_>> {
        vec![
            Template::PasswordReset { name: "Ana", link },
            Template::PasswordChanged { name: "Ana", reset_link: link },
            Template::Invitation { name: "Ana", inviter: "Bruno", link },
            Template::VerifyEmail { name: "Ana", link },
            Template::TrialEnding { name: "Ana", days_left: 3, link },
            Template::PaymentOverdue { name: "Ana", link },
            Template::SubscriptionCanceled { name: "Ana", link },
            Template::PlanChanged { name: "Ana", plan: "Pro", link },
            Template::NewSignIn {
                name: "Ana",
                when: "2024-05-01 12:00 UTC",
                address: "203.0.113.7",
                browser: "Firefox <on> Linux",
                link,
            },
            Template::EmailChanged { name: "Ana", old: "ana@old.example", new: "ana@new.example", link },
        ]
    }

    fn brand(company: &str) -> Brand<'_> {
        Brand { company, color: Some("#0f766e") }
    }

    #[test]
    fn kinds_are_the_documented_names() {
        let kinds: Vec<_> = all(LINK).iter().map(Template::kind).collect();
        assert_eq!(
            kinds,
            [
                "password_reset",
                "password_changed",
                "invitation",
                "verify_email",
                "trial_ending",
                "payment_overdue",
                "subscription_canceled",
                "plan_changed",
                "new_sign_in",
                "email_changed",
            ]
        );
    }

    #[test]
    fn every_template_renders_in_every_locale_with_distinct_subjects() {
        for template in all(LINK) {
            let subjects: Vec<String> =
                Locale::ALL.iter().map(|&l| render(&template, l, &brand("Acme")).subject).collect();
            for (i, subject) in subjects.iter().enumerate() {
                assert!(!subject.trim().is_empty(), "{}", template.kind());
                assert!(!subjects[i + 1..].contains(subject), "{}: same subject in two languages", template.kind());
            }
        }
        for locale in Locale::ALL {
            let subjects: Vec<String> = all(LINK).iter().map(|t| render(t, locale, &brand("Acme")).subject).collect();
            for (i, subject) in subjects.iter().enumerate() {
                assert!(!subjects[i + 1..].contains(subject), "{}: two templates share {subject:?}", locale.tag());
            }
        }
    }

    #[test]
    fn html_is_a_complete_branded_document_in_the_right_language() {
        for locale in Locale::ALL {
            for template in all(LINK) {
                let content = render(&template, locale, &brand("Acme"));
                assert!(content.html.starts_with("<!doctype html>"));
                assert!(content.html.contains(&format!("<html lang=\"{}\">", locale.tag())));
                assert!(content.html.contains("background-color:#0f766e;"));
                assert!(content.html.contains("max-width:600px"));
                assert!(content.html.contains(&footer(locale, "Acme")));
                assert!(content.html.trim_end().ends_with("</html>"));
                assert!(content.text.contains(&footer(locale, "Acme")));
                assert!(content.text.contains("Ana"));
            }
        }
    }

    #[test]
    fn link_appears_in_both_parts_and_on_its_own_text_line() {
        for locale in Locale::ALL {
            for template in all(LINK) {
                let content = render(&template, locale, &brand("Acme"));
                assert!(content.text.lines().any(|line| line == LINK), "{} {}", template.kind(), locale.tag());
                assert!(content.html.contains(&format!("href=\"{LINK_HTML}\"")), "{}", template.kind());
                // The button and the printed fallback link.
                assert_eq!(content.html.matches(LINK_HTML).count(), 3, "{}", template.kind());
                assert!(!content.html.contains(LINK), "raw `&` in the html");
            }
        }
    }

    #[test]
    fn text_part_has_no_markup() {
        for locale in Locale::ALL {
            for template in all(LINK) {
                let text = render(&template, locale, &brand("Acme")).text;
                for tag in ["<p", "<a ", "<br", "<table", "&amp;", "&lt;"] {
                    assert!(!text.contains(tag), "{} {}: {tag}", template.kind(), locale.tag());
                }
            }
        }
    }

    #[test]
    fn company_name_is_escaped_in_html_but_raw_in_text() {
        let company = r#"<script>&"x"'"#;
        for locale in Locale::ALL {
            for template in all(LINK) {
                let content = render(&template, locale, &brand(company));
                assert!(!content.html.contains("<script>"), "{}", template.kind());
                assert!(content.html.contains("&lt;script&gt;&amp;&quot;x&quot;&#39;"), "{}", template.kind());
                assert!(content.text.contains(company), "{}", template.kind());
            }
        }
    }

    #[test]
    fn other_interpolated_values_are_escaped() {
        let template = Template::NewSignIn {
            name: "<b>Ana</b>",
            when: "now",
            address: "<img src=x>",
            browser: "Evil\"><script>alert(1)</script>",
            link: "https://acme.example/forgot?a=\"x\"",
        };
        let content = render(&template, Locale::En, &brand("Acme"));
        assert!(!content.html.contains("<b>"));
        assert!(!content.html.contains("<img"));
        assert!(!content.html.contains("<script>"));
        assert!(content.html.contains("href=\"https://acme.example/forgot?a=&quot;x&quot;\""));
        assert!(content.text.contains("Browser: Evil\"><script>alert(1)</script>"));
    }

    #[test]
    fn invalid_colour_falls_back_to_the_default() {
        let brand = Brand { company: "Acme", color: Some("red;background:url(x)") };
        let html = render(&Template::PasswordReset { name: "Ana", link: LINK }, Locale::PtBr, &brand).html;
        assert!(html.contains("background-color:#4f46e5;"));
        assert!(!html.contains("url(x)"));
        assert!(!html.contains("red;"));
    }

    #[test]
    fn colour_validation() {
        assert_eq!(brand_color(None), DEFAULT_COLOR);
        assert_eq!(brand_color(Some("#0F766E")), "#0f766e");
        assert_eq!(brand_color(Some("#abc")), "#aabbcc");
        for bad in ["", "#", "0f766e", "#0f766", "#0f766e0", "#ggg", "#12345g", "#fff;x:y", "#+12345"] {
            assert_eq!(brand_color(Some(bad)), DEFAULT_COLOR, "{bad:?}");
        }
    }

    #[test]
    fn subject_stays_on_one_line() {
        let template = Template::Invitation { name: "Ana\r\nBcc: x", inviter: "Bruno\r\nBcc: x", link: LINK };
        let brand = Brand { company: "Acme\r\nBcc: y\u{0}", color: None };
        for locale in Locale::ALL {
            let subject = render(&template, locale, &brand).subject;
            assert!(!subject.contains('\r') && !subject.contains('\n'), "{subject:?}");
            assert!(!subject.chars().any(char::is_control), "{subject:?}");
            assert!(subject.starts_with("Bruno Bcc: x "), "{subject:?}");
        }
    }

    #[test]
    fn portuguese_subjects_read_as_specified() {
        let subject = |t: Template<'_>| render(&t, Locale::PtBr, &brand("Acme")).subject;
        assert_eq!(subject(Template::PasswordReset { name: "Ana", link: LINK }), "Redefina sua senha do Atrium — Acme");
        assert_eq!(
            subject(Template::Invitation { name: "Ana", inviter: "Bruno", link: LINK }),
            "Bruno convidou você para Acme no Atrium"
        );
        assert_eq!(
            subject(Template::TrialEnding { name: "Ana", days_left: 3, link: LINK }),
            "Seu período de teste termina em 3 dias"
        );
        assert_eq!(
            subject(Template::TrialEnding { name: "Ana", days_left: 0, link: LINK }),
            "Seu período de teste termina hoje"
        );
        assert_eq!(
            subject(Template::PlanChanged { name: "Ana", plan: "Pro", link: LINK }),
            "Plano alterado para Pro — Acme"
        );
        assert_eq!(subject(Template::PasswordChanged { name: "Ana", reset_link: LINK }), "Sua senha foi alterada");
    }

    #[test]
    fn trial_ending_today_differs_from_in_three_days() {
        for locale in Locale::ALL {
            let render_days = |days_left| {
                render(&Template::TrialEnding { name: "Ana", days_left, link: LINK }, locale, &brand("Acme")).subject
            };
            assert_ne!(render_days(0), render_days(3));
            assert!(render_days(3).contains('3'));
        }
    }

    #[test]
    fn sign_in_details_are_listed_one_per_line() {
        let template = Template::NewSignIn {
            name: "Ana",
            when: "2024-05-01 12:00 UTC",
            address: "203.0.113.7",
            browser: "Firefox\r\nX-Injected: 1",
            link: LINK,
        };
        let content = render(&template, Locale::Es, &brand("Acme"));
        assert!(content.text.contains("Cuándo: 2024-05-01 12:00 UTC\nDirección IP: 203.0.113.7\n"));
        assert!(content.text.contains("Navegador: Firefox X-Injected: 1"));
        assert!(content.html.contains("Cuándo: 2024-05-01 12:00 UTC<br>Dirección IP: 203.0.113.7<br>"));
    }

    #[test]
    fn security_notices_name_the_address_and_the_manager_on_one_line() {
        let paused = Template::SignInsPaused { name: "Ana", address: "203.0.113.7\r\nBcc: x", link: LINK };
        let content = render(&paused, Locale::PtBr, &brand("Acme"));
        assert!(content.subject.starts_with("Tentativas de acesso bloqueadas"));
        assert!(content.text.contains("endereço IP 203.0.113.7 Bcc: x."));
        let reset = Template::MfaChanged { name: "Ana", enabled: false, by: Some("<b>Bruno</b>"), link: LINK };
        let content = render(&reset, Locale::En, &brand("Acme"));
        assert_eq!(content.subject, "Two-step verification reset — Acme");
        assert!(content.html.contains("&lt;b&gt;Bruno&lt;/b&gt; reset two-step verification"));
        let on = render(
            &Template::MfaChanged { name: "Ana", enabled: true, by: None, link: LINK },
            Locale::Es,
            &brand("Acme"),
        );
        assert!(on.subject.starts_with("Verificación en dos pasos activada"));
    }

    #[test]
    fn empty_name_gets_a_bare_greeting() {
        assert_eq!(greeting(Locale::PtBr, "  "), "Olá,");
        assert_eq!(greeting(Locale::Es, "Ana"), "Hola, Ana:");
        assert_eq!(greeting(Locale::En, "Ana"), "Hi Ana,");
    }

    #[test]
    fn escape_covers_the_five_characters() {
        assert_eq!(escape(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
        assert_eq!(escape("Clínica São João"), "Clínica São João");
    }
}
