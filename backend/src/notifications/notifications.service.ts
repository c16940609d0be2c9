import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type NotificationsConfig } from './notifications.config';
import { MAILER, type Mailer, SMS_GATEWAY, type SmsGateway } from './ports';
import {
  type UnlockNotificationInput,
  unlockNotificationEmail,
  verificationCodeEmail,
  verificationCodeSms,
} from './templates';

export const NOTIFICATIONS_CONFIG = Symbol('NotificationsConfig');

/**
 * What the helpdesk handlers call: renders the right template and sends it. Rejects with a `DeliveryError`
 * (`httpStatus` 502/503, `reason`) when the next hop does not take the message; never logs a code or a body.
 */
@Injectable()
export class Notifications implements OnApplicationShutdown {
  private readonly log = new Logger('Notifications');

  constructor(
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(SMS_GATEWAY) private readonly sms: SmsGateway,
    @Inject(NOTIFICATIONS_CONFIG) private readonly config: NotificationsConfig,
  ) {}

  /** Sends a one-time code to the enrolled address (`email`) or number (`phone`). */
  async sendVerificationCode(
    channel: 'email' | 'phone',
    destination: string,
    code: string,
    expiresInMinutes = 5,
  ): Promise<{ messageId: string }> {
    if (channel === 'email') {
      return this.mailer.send({ to: destination, ...verificationCodeEmail({ code, expiresInMinutes }) });
    }
    return this.sms.send({ to: destination, ...verificationCodeSms({ code, expiresInMinutes }) });
  }

  /** Tells the user that their account(s) were unlocked (to the enrolled or directory address). */
  async sendUnlockNotice(to: string, input: Omit<UnlockNotificationInput, 'recipientAddress'>) {
    return this.mailer.send({
      to,
      ...unlockNotificationEmail({
        securityContact: this.config.securityContact,
        ...input,
        recipientAddress: to,
      }),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.mailer.close?.(), this.sms.close?.()]);
    this.log.debug('Mail and SMS transports closed');
  }
}
