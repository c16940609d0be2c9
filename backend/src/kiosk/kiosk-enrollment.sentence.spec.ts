import { describe, expect, it } from '@jest/globals';
import { type Describable, describe as sentence } from '../projections/describe';

const fact = (over: Partial<Describable>): Describable => ({
  action: 'enrollment.enrolled',
  type: 'AuthenticationTypeEnrolled',
  actor: 'kiosk:k1',
  actorName: 'Lobby kiosk',
  subject: 'ad:u1',
  subjectName: 'Dave Dunn',
  store: 'ad',
  outcome: 'success',
  reason: null,
  authenticationTypes: ['securityQuestions'],
  details: { source: 'kiosk', replaced: false },
  ...over,
});

describe('enrollment sentences with client kiosk', () => {
  it('names the person as the one who enrolled, at the kiosk', () => {
    expect(sentence(fact({}), () => 'Corp AD')).toBe('Dave Dunn enrolled in security questions at kiosk Lobby kiosk');
    expect(
      sentence(
        fact({ authenticationTypes: ['authenticator'], details: { source: 'kiosk', replaced: true } }),
        () => 'Corp AD',
      ),
    ).toBe('Dave Dunn re-enrolled in authenticator at kiosk Lobby kiosk');
  });

  it('keeps the import wording', () => {
    expect(
      sentence(
        fact({ actor: 'ad:h', actorName: 'Henry Admin', details: { source: 'import', replaced: false } }),
        () => 'Corp AD',
      ),
    ).toBe('Henry Admin enrolled Dave Dunn in security questions via import');
  });
});
