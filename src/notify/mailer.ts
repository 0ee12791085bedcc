import type { Transporter } from "nodemailer";
import type { Config } from "../config.ts";
import { ConfigError } from "../errors.ts";

/*
 * Outgoing mail over SMTP (nodemailer). The password comes from the environment variable the
 * config names (`smtp.passwordEnv`), never from the file; nodemailer's own logging stays off so
 * no credential or message text reaches the logs.
 */

export type OutgoingMail = {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
};

/** Sends mails over one connection pool; `close` ends it. */
export type MailTransport = {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
};

export type SmtpSettings = NonNullable<Config["smtp"]>;

/** The SMTP password, or a ConfigError when the variable the config names is unset. */
function passwordOf(smtp: SmtpSettings, env: NodeJS.ProcessEnv): string | undefined {
  if (smtp.passwordEnv === undefined) return undefined;
  const password = env[smtp.passwordEnv];
  if (password === undefined || password === "") {
    throw new ConfigError([
      `smtp.passwordEnv: the environment variable ${smtp.passwordEnv} is not set, expected the SMTP password`,
    ]);
  }
  return password;
}

/**
 * A pooled SMTP transport. nodemailer is loaded with the first mail: runs without recipients
 * (most CLI commands) never load it.
 */
export function createSmtpTransport(smtp: SmtpSettings, env: NodeJS.ProcessEnv): MailTransport {
  const password = passwordOf(smtp, env);
  const timeout = smtp.timeoutSeconds * 1000;
  let transport: Promise<Transporter> | undefined;
  const connect = (): Promise<Transporter> => {
    transport ??= import("nodemailer").then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        auth: smtp.user === undefined ? undefined : { user: smtp.user, pass: password ?? "" },
        pool: true,
        maxConnections: 2,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        logger: false,
        debug: false,
      }),
    );
    return transport;
  };
  return {
    async send(mail) {
      await (
        await connect()
      ).sendMail({
        from: smtp.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
        headers: { ...mail.headers },
      });
    },
    close() {
      // Nothing to close when no mail was sent (or nodemailer could not be loaded).
      void transport?.then((opened) => opened.close()).catch(() => undefined);
    },
  };
}
