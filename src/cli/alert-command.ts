/**
 * `dnshunt alert test`: send one test mail with the settings `tail` would use,
 * to check them before relying on them; a failure is explained in one line.
 * Also home of the alert flags, which `tail` shares.
 */
import { Option, type Command } from 'commander';
import { DnshuntError, ErrorCode, ExitCode } from '../core/index.js';
import { describeAlertConfig, sendTestMail, type AlertConfig } from '../alert/index.js';
import { alertConfigFrom, defaultStateDir, explicitOptions, loadConfigFile, type ConfigValues } from './config-file.js';

function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

/**
 * Add the alert flags (SMTP, recipients, JSON lines, suppression, state
 * directory, config file) to `cmd`. No defaults here: an absent flag must not
 * override the config file; the alert validator applies the defaults.
 */
export function addAlertOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'settings file (JSON, or YAML): keys are the flag names in camelCase, e.g. smtpHost, mailTo; flags override it')
    .option('--smtp-host <host>', 'SMTP server to send alert mails through')
    .option('--smtp-port <port>', 'SMTP port (default 465 with --smtp-tls implicit, 587 with starttls, 25 with none)')
    .addOption(new Option('--smtp-tls <mode>', 'implicit (TLS from the start, port 465), starttls (default; port 587) or none (trusted relay only)').choices(['implicit', 'starttls', 'none']))
    .option('--smtp-user <user>', 'SMTP user name (leave out for an unauthenticated relay)')
    .option('--smtp-pass-env <var>', 'name of the environment variable holding the SMTP password (never the password itself)')
    .option('--smtp-pass-file <file>', 'file holding the SMTP password')
    .option('--smtp-ca-file <file>', 'PEM file of a private CA or self-signed SMTP server certificate to trust')
    .option('--smtp-timeout <duration>', 'SMTP connection and reply timeout (default 10s)')
    .option('--mail-from <address>', 'sender address of alert mails')
    .option('--mail-to <address>', 'recipient of alert mails (repeatable)', collect)
    .option('--jsonl <file>', "append one JSON line per matching query to this file ('-' for standard output)")
    .option('--state-dir <dir>', `checkpoints, outbox and suppression state (default ${defaultStateDir()})`)
    .option('--suppress <duration>', 'repeats of an alert inside this window go to the digest (default 1h)')
    .option('--digest <duration>', 'digest interval (default 1h)')
    .option('--max-mails-per-hour <n>', 'cap on immediate alert mails per hour; the rest goes to the digest (default 20)')
    .addOption(new Option('--alert-key <key>', "what one alert stands for: 'client+indicator' (default) or 'client'").choices(['client+indicator', 'client']));
}

/** The values of the config file named by `--config` (none without it). */
export function configValuesOf(cmd: Command): ConfigValues {
  const file = cmd.opts<{ config?: string }>().config;
  return file === undefined ? {} : loadConfigFile(file);
}

/** Run `alert test` for merged settings; returns the exit status (0 sent). */
export async function runAlertTest(config: AlertConfig, out: NodeJS.WritableStream): Promise<number> {
  if (config.smtpHost === null) {
    throw new DnshuntError(ErrorCode.BAD_CONFIG, 'smtpHost: alert test sends a mail: set --smtp-host (and --mail-from, --mail-to)');
  }
  const receipt = await sendTestMail(config);
  out.write(`test mail ${receipt.messageId} accepted by ${config.smtpHost}:${config.smtpPort} for ${receipt.accepted.join(', ')}\n`);
  for (const line of describeAlertConfig(config)) out.write(`  ${line}\n`);
  return ExitCode.CLEAN;
}

/** Add `alert` (with its `test` subcommand) to the program. */
export function registerAlertCommand(program: Command, setExit: (code: number) => void): void {
  const alert = program.command('alert').description('alert mail utilities');
  const test = alert.command('test').description('send a test mail with the alert settings tail would use; explain a failure in one line');
  addAlertOptions(test).addHelpText(
    'after',
    `
Exit status: 0 the server accepted the mail, 2 the settings are invalid, 3 sending failed.

Examples:
  dnshunt alert test --smtp-host mail.example.org --mail-from dnshunt@example.org --mail-to soc@example.org
  dnshunt alert test --config C:\\ProgramData\\dnshunt\\tail.yaml`,
  );
  test.action(async () => {
    const values = { ...configValuesOf(test), ...explicitOptions(test) };
    const stateDir = typeof values['stateDir'] === 'string' ? (values['stateDir'] as string) : defaultStateDir();
    setExit(await runAlertTest(alertConfigFrom(values, stateDir), process.stdout));
  });
}
