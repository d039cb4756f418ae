import { RunningCrm } from '../../tools/running-crm';
import { contactsJourney } from './contacts-journey';

contactsJourney(() => RunningCrm.start());
