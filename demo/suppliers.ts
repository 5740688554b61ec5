/**
 * Supplier entities (the real-world organisations) and how each body spells them.
 *
 * 119 national suppliers are typed in below, many shared across bodies and written
 * differently by each (`EDF ENERGY PLC` / `Edf Energy` / `E.D.F. Energy Ltd`); a few hundred local
 * firms are made up from place names and trades. An entity id is the ground truth that supplier
 * matching must recover; the manifest lists every raw name sent for each entity.
 */
import { BODY_PROFILES, type BodyKind, type BodyProfile, TRADE_WEIGHTS } from './bodies.ts';
import { TRADES, type TradeId } from './catalogue.ts';
import type { Random } from './random.ts';

export type LegalForm =
  | 'company'
  | 'llp'
  | 'scottish'
  | 'charity'
  | 'public'
  | 'sole-trader'
  | 'overseas'
  | 'foreign-branch';

/** How a supplier numbers its invoices: a letter prefix and the body-wide unique sequence. */
export interface InvoiceNumberStyle {
  invoice: string;
  credit: string;
  /** Width for purely numeric numbers (prefix ""), zero-padded. */
  width: number;
}

export interface SupplierEntity {
  entityId: string;
  /** Legal or best-known name. */
  name: string;
  /** How bodies write it; each body uses one (or, rarely, two) of these. */
  spellings: readonly string[];
  /** Eastvale writes `<prefix>#<name>` for suppliers that have one. */
  hashPrefix?: string;
  companyNumber?: string;
  vatNumber?: string;
  charityNumber?: string;
  trades: readonly TradeId[];
  /** Body kinds that buy from it; all kinds when absent. */
  kinds?: readonly BodyKind[];
  /** Every body that buys the trade uses this supplier (keeps the planted cases present in small runs). */
  everyBuyer: boolean;
  /** Local firms work for a few bodies only; null for national suppliers. */
  localTo: readonly string[] | null;
  currency: 'GBP' | 'EUR';
  invoiceStyle: InvoiceNumberStyle;
}

/** What one body sends for one supplier. */
export interface SupplierIdentity {
  /** The usual spelling first; a second one when the body has the supplier twice in its vendor master. */
  names: readonly string[];
  vatNumber?: string;
  companyNumber?: string;
  ref?: string;
}

interface NationalSupplier {
  id: string;
  name: string;
  trades: readonly TradeId[];
  spellings?: readonly string[];
  form?: LegalForm;
  hashPrefix?: string;
  kinds?: readonly BodyKind[];
  everyBuyer?: boolean;
}

const COUNCILS: readonly BodyKind[] = ['council'];

// biome-ignore format: one supplier per line reads best
const NATIONAL_SUPPLIERS: readonly NationalSupplier[] = [
  { id: 'edf-energy', name: 'EDF Energy Ltd', trades: ['electricity'], everyBuyer: true, spellings: ['EDF ENERGY PLC', 'Edf Energy', 'E.D.F. Energy Ltd', 'EDF Energy Customers Ltd'] },
  { id: 'british-gas', name: 'British Gas Trading Ltd', trades: ['gas', 'electricity'], spellings: ['British Gas Business', 'BRITISH GAS TRADING LTD', 'British Gas'] },
  { id: 'totalenergies', name: 'TotalEnergies Gas & Power Ltd', trades: ['gas', 'electricity'], spellings: ['Total Gas & Power Ltd', 'TOTALENERGIES GAS AND POWER', 'TotalEnergies Gas & Power Limited'] },
  { id: 'npower', name: 'Npower Commercial Gas Ltd', trades: ['gas'], spellings: ['NPOWER LTD', 'npower Business Solutions', 'Npower Commercial Gas Limited'] },
  { id: 'corona-energy', name: 'Corona Energy Retail 4 Ltd', trades: ['gas'], spellings: ['Corona Energy', 'CORONA ENERGY RETAIL 4 LTD'] },
  { id: 'water-plus', name: 'Water Plus Ltd', trades: ['water'], everyBuyer: true, spellings: ['WATER PLUS LIMITED', 'Water Plus Ltd', 'Waterplus'] },
  { id: 'castle-water', name: 'Castle Water Ltd', trades: ['water'], form: 'scottish', spellings: ['CASTLE WATER LTD', 'Castle Water Limited'] },
  { id: 'bt', name: 'British Telecommunications PLC', trades: ['telecoms'], spellings: ['BT PLC', 'British Telecommunications Plc', 'B T PLC', 'BT Business'] },
  { id: 'vodafone', name: 'Vodafone Ltd', trades: ['telecoms'], spellings: ['VODAFONE LTD', 'Vodafone Limited', 'Vodafone Corporate Ltd'] },
  { id: 'telefonica', name: 'Telefonica UK Ltd', trades: ['telecoms'], spellings: ['TELEFONICA UK LTD', 'O2 (Telefonica UK Ltd)', 'Telefónica UK Limited'] },
  { id: 'airwave', name: 'Airwave Solutions Ltd', trades: ['telecoms'], kinds: ['police', 'fire'], spellings: ['AIRWAVE SOLUTIONS LTD', 'Airwave Solutions Limited'] },
  { id: 'capita', name: 'Capita Business Services Ltd', trades: ['software', 'consultancy'], everyBuyer: true, spellings: ['CAPITA BUSINESS SERVICES LTD', 'Capita Business Services Limited', 'Capita Business Svcs Ltd', 'CAPITA BUSINESS SERVICES'] },
  { id: 'civica', name: 'Civica UK Ltd', trades: ['software'], spellings: ['CIVICA UK LTD', 'Civica UK Limited', 'Civica'] },
  { id: 'northgate-public-services', name: 'Northgate Public Services (UK) Ltd', trades: ['software'], everyBuyer: true, spellings: ['NORTHGATE PUBLIC SERVICES (UK) LTD', 'Northgate Public Services', 'Northgate Public Services (UK) Limited'] },
  { id: 'liquidlogic', name: 'Liquidlogic Ltd', trades: ['software'], kinds: COUNCILS, spellings: ['LIQUIDLOGIC LTD', 'Liquidlogic Limited'] },
  { id: 'softcat', name: 'Softcat PLC', trades: ['ict-hardware', 'software'], spellings: ['SOFTCAT PLC', 'Softcat Plc', 'Softcat Limited'] },
  { id: 'computacenter', name: 'Computacenter (UK) Ltd', trades: ['ict-hardware'], spellings: ['COMPUTACENTER (UK) LTD', 'Computacenter UK Ltd', 'Computacenter'] },
  { id: 'xma', name: 'XMA Ltd', trades: ['ict-hardware'], spellings: ['XMA LTD', 'XMA Limited'] },
  { id: 'insight-direct', name: 'Insight Direct (UK) Ltd', trades: ['ict-hardware'], spellings: ['INSIGHT DIRECT (UK) LTD', 'Insight Direct UK Ltd'] },
  { id: 'sharp-business', name: 'Sharp Business Systems UK PLC', trades: ['ict-hardware'], spellings: ['SHARP BUSINESS SYSTEMS UK PLC', 'Sharp Business Systems', 'Sharp Business Systems UK Plc'] },
  { id: 'valtech', name: 'Valtech Ltd', trades: ['consultancy'], spellings: ['VALTECH LTD', 'Valtech Limited', 'Valtech'] },
  { id: 'microsoft-ireland', name: 'Microsoft Ireland Operations Ltd', trades: ['overseas'], form: 'overseas', kinds: ['council', 'police', 'health', 'other'], spellings: ['MICROSOFT IRELAND OPERATIONS LTD', 'Microsoft Ireland Operations Limited'] },
  { id: 'lyreco', name: 'Lyreco UK Ltd', trades: ['stationery'], spellings: ['LYRECO UK LTD', 'Lyreco UK Limited', 'Lyreco'] },
  { id: 'office-depot', name: 'Office Depot International (UK) Ltd', trades: ['stationery'], spellings: ['OFFICE DEPOT INTERNATIONAL (UK) LTD', 'Viking Direct', 'Office Depot UK'] },
  { id: 'ypo', name: 'YPO', trades: ['stationery', 'cleaning', 'education-resources', 'furniture'], form: 'public', spellings: ['YPO', 'YORKSHIRE PURCHASING ORGANISATION', 'Y.P.O.'] },
  { id: 'espo', name: 'ESPO', trades: ['stationery', 'cleaning', 'education-resources', 'furniture'], form: 'public', spellings: ['ESPO', 'Eastern Shires Purchasing Organisation'] },
  { id: 'bunzl', name: 'Bunzl Cleaning & Safety Supplies Ltd', trades: ['cleaning', 'ppe'], spellings: ['BUNZL CLEANING & SAFETY SUPPLIES', 'Bunzl Cleaning and Safety Supplies Ltd', 'Bunzl Cleaning & Safety Supplies Limited'] },
  { id: 'arco', name: 'Arco Ltd', trades: ['ppe'], spellings: ['ARCO LTD', 'Arco Limited', 'Arco'] },
  { id: 'system-hygienes', name: 'System Hygienes Ltd', trades: ['cleaning-services'], everyBuyer: true, spellings: ['SYSTEM HYGIENES LTD', 'System Hygiene', 'System Hygienes Limited'] },
  { id: 'certas-energy', name: 'Certas Energy UK Ltd', trades: ['fuel'], spellings: ['CERTAS ENERGY UK LTD', 'Certas Energy', 'Certas Energy UK Limited'] },
  { id: 'wcf', name: 'WCF Ltd', trades: ['fuel'], spellings: ['WCF LTD', 'W C F Ltd'] },
  { id: 'brakes', name: 'Brake Bros Ltd', trades: ['food'], spellings: ['BRAKES', 'Brake Bros Limited', 'Brakes Catering'] },
  { id: 'bidfood', name: 'BFS Group Ltd', trades: ['food'], spellings: ['BIDFOOD', 'BFS Group Ltd', 'Bidfood (BFS Group Ltd)'] },
  { id: 'creed', name: 'Creed Foodservice Ltd', trades: ['food'], spellings: ['CREED FOODSERVICE LTD', 'Creed Foodservice'] },
  { id: 'nhs-supply-chain', name: 'Supply Chain Coordination Ltd', trades: ['medical'], spellings: ['NHS SUPPLY CHAIN', 'Supply Chain Coordination Ltd', 'NHS Supply Chain (SCCL)'] },
  { id: 'medline', name: 'Medline Industries Ltd', trades: ['medical'], spellings: ['MEDLINE INDUSTRIES LTD', 'Medline Industries Limited', 'Medline'] },
  { id: 'b-braun', name: 'B. Braun Medical Ltd', trades: ['medical'], spellings: ['B BRAUN MEDICAL LTD', 'B. Braun Medical Ltd', 'B Braun'] },
  { id: 'prism-medical', name: 'Prism Medical UK Ltd', trades: ['medical'], kinds: ['council', 'health'], everyBuyer: true, spellings: ['PRISM MEDICAL UK', 'Prism Medical UK Ltd', 'Prism Medical'] },
  { id: 'draeger', name: 'Draeger Safety UK Ltd', trades: ['firefighting', 'medical'], spellings: ['DRAEGER SAFETY UK LTD', 'Dräger Safety UK Ltd', 'Drager Safety UK Limited'] },
  { id: 'tarmac', name: 'Tarmac Trading Ltd', trades: ['highways-materials', 'highways-works'], spellings: ['TARMAC TRADING LTD', 'Tarmac', 'Tarmac Trading Limited'] },
  { id: 'hanson', name: 'Hanson Quarry Products Europe Ltd', trades: ['highways-materials'], spellings: ['HANSON QUARRY PRODUCTS EUROPE LTD', 'Hanson UK'] },
  { id: 'salt-union', name: 'Salt Union Ltd', trades: ['highways-materials'], spellings: ['SALT UNION LTD', 'Salt Union Limited'] },
  { id: 'marshalls', name: 'Marshalls Mono Ltd', trades: ['highways-materials'], spellings: ['MARSHALLS MONO LTD', 'Marshalls'] },
  { id: 'ringway', name: 'Ringway Infrastructure Services Ltd', trades: ['highways-works'], spellings: ['RINGWAY INFRASTRUCTURE SERVICES LTD', 'Ringway Infrastructure Services', 'Ringway'] },
  { id: 'amey', name: 'Amey OW Ltd', trades: ['highways-works'], spellings: ['AMEY OW LTD', 'Amey OW Limited'] },
  { id: 'balfour-beatty', name: 'Balfour Beatty Living Places Ltd', trades: ['highways-works'], spellings: ['BALFOUR BEATTY LIVING PLACES LTD', 'Balfour Beatty Living Places'] },
  { id: 'bristol-uniforms', name: 'Bristol Uniforms Ltd', trades: ['firefighting'], kinds: ['fire'], spellings: ['BRISTOL UNIFORMS LTD', 'Bristol Uniforms Limited'] },
  { id: 'msa-britain', name: 'MSA (Britain) Ltd', trades: ['firefighting'], form: 'scottish', kinds: ['fire'], spellings: ['MSA (BRITAIN) LTD', 'MSA Britain Ltd'] },
  { id: 'rosenbauer', name: 'Rosenbauer International AG', trades: ['overseas'], form: 'overseas', kinds: ['fire'], spellings: ['ROSENBAUER INTERNATIONAL AG', 'Rosenbauer International AG'] },
  { id: 'emergency-one', name: 'Emergency One (UK) Ltd', trades: ['vehicle-maintenance'], form: 'scottish', kinds: ['fire'], spellings: ['EMERGENCY ONE (UK) LTD', 'Emergency One UK Ltd', 'E1 Emergency One'] },
  { id: 'motorola', name: 'Motorola Solutions UK Ltd', trades: ['police-equipment'], kinds: ['police'], spellings: ['MOTOROLA SOLUTIONS UK LTD', 'Motorola Solutions UK Limited'] },
  { id: 'axon', name: 'Axon Public Safety UK Ltd', trades: ['police-equipment'], kinds: ['police'], spellings: ['AXON PUBLIC SAFETY UK LTD', 'Axon Public Safety UK Limited'] },
  { id: 'custodia', name: 'Custodia Supplies Ltd', trades: ['police-equipment'], kinds: ['police'], spellings: ['CUSTODIA SUPPLIES LTD'] },
  { id: 'pearson', name: 'Pearson Education Ltd', trades: ['education-resources', 'training'], spellings: ['PEARSON EDUCATION LTD', 'Pearson Education Limited', 'Pearson Edexcel'] },
  { id: 'rm-resources', name: 'RM Educational Resources Ltd', trades: ['education-resources'], spellings: ['RM RESOURCES', 'RM Educational Resources Ltd', 'R M Educational Resources'] },
  { id: 'scholastic', name: 'Scholastic Ltd', trades: ['education-resources'], spellings: ['SCHOLASTIC LTD', 'Scholastic Limited'] },
  { id: 'voyages-normandie', name: 'Voyages Normandie SARL', trades: ['overseas'], form: 'overseas', kinds: ['school'], spellings: ['Voyages Normandie SARL', 'VOYAGES NORMANDIE'] },
  { id: 'gresham', name: 'Gresham Office Furniture Ltd', trades: ['furniture'], spellings: ['GRESHAM OFFICE FURNITURE LTD', 'Gresham Office Furniture'] },
  { id: 'reed', name: 'Reed Specialist Recruitment Ltd', trades: ['agency-staff'], everyBuyer: true, hashPrefix: 'Reed', spellings: ['REED SPECIALIST RECRUITMENT LTD', 'Reed Specialist Recruitment Limited', 'Reed Specialist Recruitment'] },
  { id: 'hays', name: 'Hays Specialist Recruitment Ltd', trades: ['agency-staff'], spellings: ['HAYS SPECIALIST RECRUITMENT LTD', 'Hays Specialist Recruitment Limited', 'Hays Recruitment'] },
  { id: 'sanctuary-personnel', name: 'Sanctuary Personnel Ltd', trades: ['agency-staff'], kinds: COUNCILS, everyBuyer: true, spellings: ['SANCTUARY PERSONNEL LTD', 'Sanctuary Personnel Limited'] },
  { id: 'matrix-scm', name: 'Matrix SCM Ltd', trades: ['agency-staff'], spellings: ['MATRIX SCM LTD', 'Matrix SCM Limited'] },
  { id: 'pertemps', name: 'Pertemps Ltd', trades: ['agency-staff'], spellings: ['PERTEMPS LTD', 'Pertemps Limited'] },
  { id: 'adecco', name: 'Adecco UK Ltd', trades: ['agency-staff'], spellings: ['ADECCO UK LTD', 'Adecco UK Limited'] },
  { id: 'eden-brown', name: 'Eden Brown Ltd', trades: ['agency-staff'], kinds: COUNCILS, spellings: ['EDEN BROWN LTD', 'Eden Brown Limited'] },
  { id: 'teaching-personnel', name: 'Teaching Personnel Ltd', trades: ['agency-staff'], kinds: ['school', 'council'], spellings: ['TEACHING PERSONNEL LTD', 'Teaching Personnel Limited', 'Teaching Personnel'] },
  { id: 'team-educate', name: 'Team Educate Ltd', trades: ['agency-staff'], kinds: ['school', 'council'], spellings: ['TEAM EDUCATE LTD', 'Team Educate Limited'] },
  { id: 'nhs-professionals', name: 'NHS Professionals Ltd', trades: ['agency-staff'], kinds: ['health'], spellings: ['NHS PROFESSIONALS LTD', 'NHS Professionals Limited'] },
  { id: 'medacs', name: 'Medacs Healthcare PLC', trades: ['agency-staff'], kinds: ['health'], spellings: ['MEDACS HEALTHCARE PLC', 'Medacs Healthcare'] },
  { id: 'creative-support', name: 'Creative Support Ltd', trades: ['social-care'], form: 'charity', spellings: ['CREATIVE SUPPORT LTD', 'Creative Support Limited', 'Creative Support'] },
  { id: 'mencap', name: 'Royal Mencap Society', trades: ['social-care'], form: 'charity', hashPrefix: '14 Mill Lane', spellings: ['ROYAL MENCAP SOCIETY', 'Mencap', 'Royal Mencap Society'] },
  { id: 'lifeways', name: 'Lifeways Community Care Ltd', trades: ['social-care'], spellings: ['LIFEWAYS COMMUNITY CARE LTD', 'Lifeways Community Care Limited', 'Lifeways'] },
  { id: 'hc-one', name: 'HC-One Ltd', trades: ['social-care'], spellings: ['HC-ONE LTD', 'HC One Limited', 'Hc-One Ltd'] },
  { id: 'sanctuary-care', name: 'Sanctuary Care Ltd', trades: ['social-care'], everyBuyer: true, spellings: ['SANCTUARY CARE LTD', 'Sanctuary Care Limited'] },
  { id: 'shared-lives-sw', name: 'Shared Lives South West', trades: ['social-care'], form: 'charity', spellings: ['SHARED LIVES SOUTH WEST', 'Shared Lives South West'] },
  { id: 'pee-wees', name: 'Pee Wees Personal Homecare Ltd', trades: ['social-care'], everyBuyer: true, spellings: ['PEE WEES PERSONAL HOMECARE', 'Pee Wees Personal Homecare Ltd'] },
  { id: 'disability-equality', name: 'Disability Equality (North Shire)', trades: ['social-care'], form: 'charity', spellings: ['DISABILITY EQUALITY (NORTH SHIRE)', 'Disability Equality (NS)'] },
  { id: 'foster-care-associates', name: 'Foster Care Associates Ltd', trades: ['fostering'], everyBuyer: true, spellings: ['FOSTER CARE ASSOCIATES LTD', 'Foster Care Associates', 'FCA (Foster Care Associates Ltd)'] },
  { id: 'national-fostering-agency', name: 'National Fostering Agency Ltd', trades: ['fostering'], everyBuyer: true, spellings: ['NATIONAL FOSTERING AGENCY LTD', 'National Fostering Agency'] },
  { id: 'fostering-ltd', name: 'Fostering Ltd', trades: ['fostering'], everyBuyer: true, spellings: ['FOSTERING LTD', 'Fostering Limited'] },
  { id: 'uk-fostering', name: 'UK Fostering Ltd', trades: ['fostering'], everyBuyer: true, spellings: ['UK FOSTERING LTD', 'UK Fostering Limited'] },
  { id: 'keys-group', name: 'Keys Group Ltd', trades: ['fostering'], everyBuyer: true, spellings: ['Keys PCE', 'Keys Group PCE', 'KEYS GROUP LTD'] },
  { id: 'outdoors-group', name: 'The Outdoors Group Ltd', trades: ['fostering'], everyBuyer: true, spellings: ['The Outdoors Group Ltd', 'Outdoors Group Ltd', 'The Outdoors Group'] },
  { id: 'suez', name: 'Suez Recycling and Recovery UK Ltd', trades: ['waste'], everyBuyer: true, spellings: ['Suez Recycling & Recovery UK Ltd', 'SUEZ RECYCLING AND RECOVERY', 'Suez Recycling And Recovery Uk Ltd', 'SUEZ R&R UK LTD'] },
  { id: 'veolia', name: 'Veolia ES (UK) Ltd', trades: ['waste'], spellings: ['VEOLIA ES (UK) LTD', 'Veolia Environmental Services', 'Veolia'] },
  { id: 'biffa', name: 'Biffa Waste Services Ltd', trades: ['waste'], spellings: ['BIFFA WASTE SERVICES LTD', 'Biffa Waste Services Limited', 'Biffa'] },
  { id: 'fcc-environment', name: 'FCC Environment (UK) Ltd', trades: ['waste'], spellings: ['FCC ENVIRONMENT (UK) LTD', 'FCC Environment'] },
  { id: 'p-and-w-confidential', name: 'P and W Confidential Business', trades: ['waste'], everyBuyer: true, spellings: ['P AND W CONFIDENTIAL BUSINESS', 'P & W Confidential Business'] },
  { id: 'rentokil-initial', name: 'Rentokil Initial UK Ltd', trades: ['waste'], kinds: ['health', 'police', 'fire', 'council'], spellings: ['RENTOKIL INITIAL UK LTD', 'Rentokil Initial UK Limited', 'Initial Medical Services'] },
  { id: 'kier', name: 'Kier Construction Ltd', trades: ['building-works'], spellings: ['KIER CONSTRUCTION LTD', 'Kier Construction Limited', 'Kier'] },
  { id: 'wates', name: 'Wates Property Services Ltd', trades: ['building-works'], spellings: ['WATES PROPERTY SERVICES LTD', 'Wates Property Services'] },
  { id: 'willmott-dixon', name: 'Willmott Dixon Construction Ltd', trades: ['building-works'], spellings: ['WILLMOTT DIXON CONSTRUCTION LTD', 'Willmott Dixon Construction Limited'] },
  { id: 'morgan-sindall', name: 'Morgan Sindall Construction & Infrastructure Ltd', trades: ['building-works'], spellings: ['MORGAN SINDALL CONSTRUCTION & INFRASTRUCTURE LTD', 'Morgan Sindall Construction and Infrastructure Ltd'] },
  { id: 'mears', name: 'Mears Ltd', trades: ['building-works'], kinds: COUNCILS, spellings: ['MEARS LTD', 'Mears Limited'] },
  { id: 'protec-fire', name: 'Protec Fire Detection PLC', trades: ['security'], everyBuyer: true, spellings: ['PROTEC FIRE DETECTION PLC', 'Protec Fire Detection', 'Protec Fire Detection Plc'] },
  { id: 'g4s', name: 'G4S Secure Solutions (UK) Ltd', trades: ['security'], spellings: ['G4S SECURE SOLUTIONS (UK) LTD', 'G4S Secure Solutions UK Ltd', 'G4S'] },
  { id: 'mitie-security', name: 'Mitie Security Ltd', trades: ['security'], spellings: ['MITIE SECURITY LTD', 'Mitie Security Limited'] },
  { id: 'ocs', name: 'OCS Group UK Ltd', trades: ['cleaning-services', 'security'], spellings: ['OCS GROUP UK LTD', 'OCS Group UK Limited', 'OCS'] },
  { id: 'churchill', name: 'Churchill Contract Services Ltd', trades: ['cleaning-services'], spellings: ['CHURCHILL CONTRACT SERVICES LTD', 'Churchill Contract Services'] },
  { id: 'dwf', name: 'DWF Law LLP', trades: ['legal'], form: 'llp', spellings: ['DWF LAW LLP', 'DWF Law LLP', 'DWF'] },
  { id: 'browne-jacobson', name: 'Browne Jacobson LLP', trades: ['legal'], form: 'llp', spellings: ['BROWNE JACOBSON LLP', 'Browne Jacobson'] },
  { id: 'weightmans', name: 'Weightmans LLP', trades: ['legal'], form: 'llp', spellings: ['WEIGHTMANS LLP', 'Weightmans'] },
  { id: 'grant-thornton', name: 'Grant Thornton UK LLP', trades: ['consultancy'], form: 'llp', spellings: ['GRANT THORNTON UK LLP', 'Grant Thornton'] },
  { id: 'cipfa', name: 'Chartered Institute of Public Finance & Accountancy', trades: ['training'], form: 'charity', spellings: ['CIPFA', 'Chartered Institute of Public Finance and Accountancy', 'C.I.P.F.A.'] },
  { id: 'lga', name: 'Local Government Association', trades: ['training'], form: 'public', kinds: COUNCILS, spellings: ['LOCAL GOVERNMENT ASSOCIATION', 'Local Government Association', 'LGA'] },
  { id: 'active-north-shire', name: 'Active North Shire', trades: ['training'], form: 'charity', everyBuyer: true, spellings: ['ACTIVE NORTH SHIRE', 'Active North Shire'] },
  { id: 'st-john-ambulance', name: 'St John Ambulance', trades: ['training'], form: 'charity', spellings: ['ST JOHN AMBULANCE', 'St. John Ambulance', 'St John Ambulance'] },
  { id: 'ford-retail', name: 'Ford Retail Ltd', trades: ['vehicle-maintenance'], spellings: ['FORD RETAIL LTD', 'TrustFord', 'Ford Retail Limited t/a TrustFord'] },
  { id: 'kwik-fit', name: 'Kwik-Fit (GB) Ltd', trades: ['vehicle-maintenance'], spellings: ['KWIK FIT (GB) LTD', 'Kwik-Fit', 'Kwik Fit GB Ltd'] },
  { id: 'ats-euromaster', name: 'ATS Euromaster Ltd', trades: ['vehicle-maintenance'], spellings: ['ATS EUROMASTER LTD', 'ATS Euromaster Limited'] },
  { id: 'northgate-vehicle-hire', name: 'Northgate Vehicle Hire Ltd', trades: ['vehicle-maintenance'], everyBuyer: true, spellings: ['NORTHGATE VEHICLE HIRE LTD', 'Northgate Vehicle Hire Limited', 'Northgate Vehicle Hire'] },
  { id: 'zurich-municipal', name: 'Zurich Insurance PLC', trades: ['insurance'], form: 'foreign-branch', spellings: ['ZURICH MUNICIPAL', 'Zurich Insurance PLC', 'Zurich Municipal Insurance'] },
  { id: 'gallagher', name: 'Arthur J. Gallagher (UK) Ltd', trades: ['insurance'], spellings: ['ARTHUR J GALLAGHER (UK) LTD', 'Arthur J. Gallagher', 'Gallagher'] },
  { id: 'royal-mail', name: 'Royal Mail Group Ltd', trades: ['postage'], everyBuyer: true, hashPrefix: 'Royal Mail', spellings: ['ROYAL MAIL GROUP LTD', 'Royal Mail Group Limited', 'Royal Mail'] },
  { id: 'whistl', name: 'Whistl UK Ltd', trades: ['postage'], spellings: ['WHISTL UK LTD', 'Whistl'] },
  { id: 'compass-chartwells', name: 'Compass Contract Services (UK) Ltd', trades: ['catering-services'], spellings: ['COMPASS CONTRACT SERVICES (UK) LTD', 'Chartwells (Compass Contract Services)'] },
  { id: 'sodexo', name: 'Sodexo Ltd', trades: ['catering-services'], spellings: ['SODEXO LTD', 'Sodexo Limited', 'Sodexo'] },
  { id: 'caterlink', name: 'Caterlink Ltd', trades: ['catering-services'], kinds: ['school'], spellings: ['CATERLINK LTD', 'Caterlink Limited'] },
  { id: 'a1-private-hire', name: 'A1 Private Hire', trades: ['taxi'], form: 'sole-trader', everyBuyer: true, spellings: ['A1 PRIVATE HIRE', 'A1 Private Hire'] },
];

/** Look-alike names that are different organisations, and real suppliers that look like redactions. */
export const HARD_NEGATIVES = [
  {
    kind: 'distinct-suppliers',
    entityIds: ['fostering-ltd', 'uk-fostering'],
    note: 'Different firms; a normaliser that drops "UK" and "LTD" wrongly merges them.',
  },
  {
    kind: 'distinct-suppliers',
    entityIds: ['northgate-public-services', 'northgate-vehicle-hire'],
    note: 'Software house and van hire firm sharing a first word.',
  },
  {
    kind: 'distinct-suppliers',
    entityIds: ['sanctuary-personnel', 'sanctuary-care'],
    note: 'Recruitment agency and care-home operator; unrelated companies.',
  },
  {
    kind: 'not-a-redaction',
    entityIds: ['p-and-w-confidential'],
    note: 'A confidential-waste firm: "CONFIDENTIAL" in the name is not a redaction marker.',
  },
  {
    kind: 'not-a-redaction',
    entityIds: ['pee-wees'],
    note: '"PERSONAL" in the name is not a redaction marker.',
  },
  {
    kind: 'not-a-redaction',
    entityIds: ['a1-private-hire'],
    note: '"PRIVATE" in the name is not a redaction marker.',
  },
] as const;

/** Spellings that look different but are one organisation (same company number where one is sent). */
export const HARD_POSITIVES = [
  {
    entityId: 'keys-group',
    note: '"Keys PCE" and "Keys Group PCE" are both Keys Group Ltd (decided: the same supplier).',
  },
  { entityId: 'edf-energy', note: '"EDF ENERGY PLC", "Edf Energy" and "E.D.F. Energy Ltd".' },
  { entityId: 'suez', note: '"&" versus "AND", with and without "UK Ltd", and "SUEZ R&R UK LTD".' },
  { entityId: 'reed', note: 'Eastvale sends "Reed#Reed Specialist Recruitment Ltd" (alias#organisation).' },
  {
    entityId: 'office-depot',
    note: '"Viking Direct" is a trading name of Office Depot International (UK) Ltd.',
  },
  {
    entityId: 'outdoors-group',
    note: 'Upper-case extracts move "THE" to the end ("OUTDOORS GROUP LTD THE").',
  },
  { entityId: 'draeger', note: 'Spelt "Dräger", "Draeger" or "Drager" depending on the body.' },
  { entityId: 'telefonica', note: '"O2 (Telefonica UK Ltd)" and "Telefónica UK Limited" (accent).' },
] as const;

// ---------------------------------------------------------------------------------------------
// Local firms: made up from North Shire places, family names and trades.

const PLACES = [
  'Ashcombe',
  'Brackley',
  'Carrow',
  'Dunmere',
  'Fellside',
  'Greystone',
  'Harwood',
  'Kestrel',
  'Larkfield',
  'Moorside',
  'Stanmoor',
  'Thornby',
  'Underhill',
  'Whitecliff',
  'Yarrow',
  'Riverton',
  'Eastvale',
  'Westmoor',
  'Bowness',
  'Calderbrook',
  'Pendleby',
  'Hollins',
  'Ribbleton',
  'Skelwith',
  'Netherby',
];
const BRANDS = [
  'Acorn',
  'Apex',
  'Beacon',
  'Clearview',
  'Crest',
  'Evergreen',
  'Horizon',
  'Keystone',
  'Meridian',
  'Pinnacle',
  'Premier',
  'Sterling',
  'Summit',
  'Vanguard',
  'Heritage',
  'Brightwater',
  'Redwood',
  'Silverline',
  'Trinity',
  'Orchard',
  'Willow',
  'Hawthorn',
  'Kingfisher',
  'Lighthouse',
  'Northern Star',
];
const SURNAMES = [
  'Patel',
  'Hughes',
  'Whittaker',
  'Ashworth',
  'Kowalski',
  "O'Brien",
  'Singh',
  'Thompson',
  'Haworth',
  'Barker',
  'Dixon',
  'Moss',
  'Khan',
  'Murray',
  'Fletcher',
  'Holt',
  'Brennan',
  'Pickup',
  'Entwistle',
  'Ramsbottom',
];
const INITIALS = ['A', 'B', 'D', 'J', 'K', 'M', 'P', 'R', 'S', 'T'];

/** What local firms do, how many of them there are, and the words in their names. */
const LOCAL_TRADES: readonly (readonly [TradeId, number, readonly string[]])[] = [
  [
    'building-works',
    70,
    [
      'Building Contractors',
      'Roofing',
      'Plumbing & Heating',
      'Electrical Contractors',
      'Joinery',
      'Decorators',
      'Groundworks',
      'Scaffolding',
      'Glazing',
      'Builders',
    ],
  ],
  [
    'highways-works',
    22,
    ['Surfacing', 'Civil Engineering', 'Highway Services', 'Traffic Management', 'Drainage'],
  ],
  [
    'social-care',
    66,
    ['Care', 'Homecare', 'Supported Living', 'Care Homes', 'Nursing Home', 'Home Care Services'],
  ],
  ['fostering', 16, ['Fostering', 'Family Placements', "Children's Homes", 'Childcare Solutions']],
  ['taxi', 36, ['Taxis', 'Private Hire', 'Cars', 'Travel', 'Coaches', 'Minibus Hire']],
  ['cleaning-services', 14, ['Cleaning', 'Window Cleaning', 'Facilities']],
  ['training', 18, ['Training', 'Learning', 'Safety Training', 'First Aid Training']],
  ['consultancy', 18, ['Consulting', 'Associates', 'Partnership', 'Advisory']],
  ['legal', 8, ['Solicitors', 'Chambers', 'Law']],
  ['vehicle-maintenance', 20, ['Motors', 'Garage', 'Commercials', 'Tyres', 'Auto Repairs']],
  ['security', 10, ['Security', 'Alarms', 'Locksmiths', 'Fire & Security']],
  ['waste', 10, ['Skip Hire', 'Waste Management', 'Recycling']],
  ['agency-staff', 10, ['Recruitment', 'Personnel', 'Staffing', 'Locums']],
  ['catering-services', 8, ['Catering', 'Kitchens', 'Fine Foods']],
];

const INVOICE_STYLES: readonly InvoiceNumberStyle[] = [
  { invoice: 'INV-', credit: 'CN-', width: 0 },
  { invoice: 'INV', credit: 'CRN', width: 0 },
  { invoice: 'SI-', credit: 'SC-', width: 0 },
  { invoice: 'IN', credit: 'CR', width: 0 },
  { invoice: 'S/INV/', credit: 'S/CRN/', width: 0 },
  { invoice: 'INV/', credit: 'CN/', width: 0 },
  { invoice: 'SIN', credit: 'SCN', width: 0 },
  { invoice: '', credit: 'C', width: 8 },
];

/**
 * The crude normaliser from the datasets README (upper case, & → AND, no punctuation, no legal
 * suffixes). Made-up names must stay distinct under it, so that the only look-alikes are planted.
 */
export function crudeNormalise(name: string): string {
  const dropped = new Set([
    'LTD',
    'LIMITED',
    'PLC',
    'LLP',
    'UK',
    'THE',
    'GROUP',
    'SERVICES',
    'CIC',
    'T',
    'A',
  ]);
  return name
    .toUpperCase()
    .replace(/&/g, ' AND ')
    .replace(/[^A-Z0-9]+/g, ' ')
    .split(' ')
    .filter((word) => word && !dropped.has(word))
    .join(' ');
}

// ---------------------------------------------------------------------------------------------
// Identifiers

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A UK VAT number that passes HMRC's weighted modulus-97 check. */
function ukVatNumber(random: Random): string {
  const digits = Array.from({ length: 7 }, (_, i) => (i === 0 ? random.int(1, 9) : random.int(0, 9)));
  const weighted = digits.reduce((total, digit, i) => total + digit * (8 - i), 0);
  const check = (97 - (weighted % 97)) % 97;
  return `GB${digits.join('')}${pad(check, 2)}`;
}

function companyNumber(form: LegalForm, random: Random): string | undefined {
  switch (form) {
    case 'scottish':
      return `SC${pad(random.int(100_000, 799_999), 6)}`;
    case 'llp':
      return `OC${pad(random.int(300_000, 449_999), 6)}`;
    case 'foreign-branch':
      return `FC${pad(random.int(10_000, 39_999), 6)}`;
    case 'company':
    case 'charity':
      if (random.chance(0.03)) return `NI${pad(random.int(600_000, 699_999), 6)}`;
      // Older companies have 7 significant digits and a leading zero; newer ones 8 digits.
      return random.chance(0.7)
        ? `0${random.int(1_000_000, 9_999_999)}`
        : String(random.int(10_000_000, 15_999_999));
    default:
      return undefined;
  }
}

function overseasVatNumber(entityId: string, random: Random): string {
  if (entityId === 'rosenbauer') return `ATU${random.int(10_000_000, 99_999_999)}`;
  if (entityId === 'voyages-normandie')
    return `FR${random.int(10, 99)}${random.int(100_000_000, 999_999_999)}`;
  return `IE${random.int(1_000_000, 9_999_999)}${random.pick(['A', 'H', 'V', 'W'])}`;
}

function identifiers(entityId: string, form: LegalForm, random: Random) {
  const result: Pick<SupplierEntity, 'companyNumber' | 'vatNumber' | 'charityNumber'> = {};
  const company = companyNumber(form, random);
  if (company) result.companyNumber = company;
  if (form === 'overseas') result.vatNumber = overseasVatNumber(entityId, random);
  else if (form !== 'sole-trader' && form !== 'charity' && random.chance(0.9))
    result.vatNumber = ukVatNumber(random);
  else if (form === 'sole-trader' && random.chance(0.3)) result.vatNumber = ukVatNumber(random);
  if (form === 'charity') result.charityNumber = String(random.int(200_000, 1_199_999));
  return result;
}

// ---------------------------------------------------------------------------------------------
// Building the supplier world

export interface SupplierWorld {
  entities: readonly SupplierEntity[];
  /** Suppliers a body uses for a trade; the first ones get most of the business. */
  panel(bodyId: string, trade: TradeId): readonly SupplierEntity[];
  /** How `bodyId` writes `entity` (stable: the same answer every time). */
  identity(bodyId: string, entity: SupplierEntity): SupplierIdentity;
}

function buysTrade(profile: BodyProfile, trade: TradeId): boolean {
  return TRADE_WEIGHTS[profile.buying].some(([id, weight]) => id === trade && weight > 0);
}

function nationalEntities(random: Random): SupplierEntity[] {
  return NATIONAL_SUPPLIERS.map((supplier, i) => ({
    entityId: supplier.id,
    name: supplier.name,
    spellings: supplier.spellings ?? [supplier.name],
    ...(supplier.hashPrefix ? { hashPrefix: supplier.hashPrefix } : {}),
    ...identifiers(supplier.id, supplier.form ?? 'company', random.fork(supplier.id)),
    trades: supplier.trades,
    ...(supplier.kinds ? { kinds: supplier.kinds } : {}),
    everyBuyer: supplier.everyBuyer ?? false,
    localTo: null,
    currency: supplier.form === 'overseas' ? 'EUR' : 'GBP',
    invoiceStyle: INVOICE_STYLES[i % INVOICE_STYLES.length] as InvoiceNumberStyle,
  }));
}

function localName(words: readonly string[], random: Random): { name: string; form: LegalForm } {
  const word = random.pick(words);
  switch (random.int(0, 5)) {
    case 0:
      return { name: `${random.pick(PLACES)} ${word} Ltd`, form: 'company' };
    case 1:
      return { name: `${random.pick(BRANDS)} ${word} Limited`, form: 'company' };
    case 2:
      return { name: `${random.pick(SURNAMES)} & Sons (${random.pick(PLACES)}) Ltd`, form: 'company' };
    case 3:
      return { name: `${random.pick(SURNAMES)} ${word}`, form: 'sole-trader' };
    case 4:
      return {
        name: `${random.pick(INITIALS)} ${random.pick(SURNAMES)} t/a ${random.pick(BRANDS)} ${word}`,
        form: 'sole-trader',
      };
    default:
      return words.includes('Care') && random.chance(0.5)
        ? { name: `${random.pick(PLACES)} Care Trust`, form: 'charity' }
        : { name: `${random.pick(BRANDS)} ${word} (${random.pick(PLACES)}) Ltd`, form: 'company' };
  }
}

/** Local firms work for one body, or for two or three neighbours. */
function localClients(trade: TradeId, random: Random): string[] {
  const buyers = BODY_PROFILES.filter((profile) => buysTrade(profile, trade));
  const home = random.weighted(buyers.map((profile) => [profile, profile.size] as const));
  const others = buyers.filter((profile) => profile !== home);
  const extra = random.chance(0.35) ? random.sample(others, random.int(1, 2)) : [];
  return [home, ...extra].map((profile) => profile.bodyId);
}

function localEntities(random: Random, taken: Set<string>, firstStyle: number): SupplierEntity[] {
  const entities: SupplierEntity[] = [];
  for (const [trade, count, words] of LOCAL_TRADES) {
    for (let made = 0; made < count; ) {
      const { name, form } = localName(words, random);
      const key = crudeNormalise(name);
      if (taken.has(key)) continue;
      taken.add(key);
      made++;
      const entityId = `local-${String(entities.length + 1).padStart(3, '0')}`;
      entities.push({
        entityId,
        name,
        spellings: [name],
        ...identifiers(entityId, form, random),
        trades: [trade],
        everyBuyer: false,
        localTo: localClients(trade, random),
        currency: 'GBP',
        invoiceStyle: INVOICE_STYLES[
          (firstStyle + entities.length) % INVOICE_STYLES.length
        ] as InvoiceNumberStyle,
      });
    }
  }
  return entities;
}

function buildPanel(
  profile: BodyProfile,
  trade: TradeId,
  entities: readonly SupplierEntity[],
  random: Random,
) {
  const sells = (entity: SupplierEntity) =>
    entity.trades.includes(trade) && (!entity.kinds || entity.kinds.includes(profile.kind));
  const national = entities.filter((entity) => entity.localTo === null && sells(entity));
  const always = national.filter((entity) => entity.everyBuyer);
  const chosen = random.sample(
    national.filter((entity) => !entity.everyBuyer),
    TRADES[trade].kind === 'catalogue' ? random.int(1, 2) : random.int(1, 3),
  );
  const local = random.sample(
    entities.filter((entity) => entity.localTo?.includes(profile.bodyId) && sells(entity)),
    1_000,
  );
  // The contracted national suppliers first; everyBuyer ones right after so that they appear even in
  // small runs; local firms share the rest.
  return [...chosen.slice(0, 1), ...always, ...chosen.slice(1), ...local];
}

export function buildSupplierWorld(random: Random): SupplierWorld {
  const national = nationalEntities(random.fork('national'));
  const taken = new Set(national.map((entity) => crudeNormalise(entity.name)));
  const entities = [...national, ...localEntities(random.fork('local'), taken, national.length)];

  const panels = new Map<string, readonly SupplierEntity[]>();
  for (const profile of BODY_PROFILES) {
    for (const [trade] of TRADE_WEIGHTS[profile.buying]) {
      const panelRandom = random.fork(`panel:${profile.bodyId}:${trade}`);
      panels.set(`${profile.bodyId}|${trade}`, buildPanel(profile, trade, entities, panelRandom));
    }
  }

  const identities = new Map<string, SupplierIdentity>();
  const ordinal = new Map(entities.map((entity, i) => [entity.entityId, i]));
  return {
    entities,
    panel: (bodyId, trade) => panels.get(`${bodyId}|${trade}`) ?? [],
    identity(bodyId, entity) {
      const key = `${bodyId}|${entity.entityId}`;
      let identity = identities.get(key);
      if (!identity) {
        const profile = BODY_PROFILES.find((p) => p.bodyId === bodyId);
        if (!profile) throw new Error(`unknown body ${bodyId}`);
        identity = spellFor(
          profile,
          entity,
          ordinal.get(entity.entityId) ?? 0,
          random.fork(`identity:${key}`),
        );
        identities.set(key, identity);
      }
      return identity;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Spelling: how one body writes one supplier

function titleCase(name: string): string {
  return name
    .toLowerCase()
    .replace(/(^|[\s(\-/&.])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}

function paymentNote(random: Random): string {
  const reference = random.int(1000, 9999);
  return random.pick([
    ` *${reference}*`,
    '_BACS',
    ` **${reference}**`,
    ` ****${reference}`,
    `_BACS **${reference}**`,
  ]);
}

/** A second vendor-master record for the same supplier: suffix spelt out, or a stray space. */
function secondSpelling(name: string): string {
  if (/\bLTD\b/i.test(name)) return name.replace(/\bLTD\b/, 'LIMITED').replace(/\bLtd\b/, 'Limited');
  if (/\bLIMITED\b/i.test(name)) return name.replace(/\bLIMITED\b/, 'LTD').replace(/\bLimited\b/, 'Ltd');
  return `${name.trimEnd()}  `;
}

function spellFor(
  profile: BodyProfile,
  entity: SupplierEntity,
  ordinal: number,
  random: Random,
): SupplierIdentity {
  const rules = profile.conventions;
  const bodyOrdinal = BODY_PROFILES.indexOf(profile);
  let name = entity.spellings[bodyOrdinal % entity.spellings.length] ?? entity.name;

  if (rules.nameCase === 'upper') name = name.toUpperCase();
  if (rules.nameCase === 'title') name = titleCase(name);
  if (rules.movesTheToEnd && /^THE /i.test(name)) name = `${name.slice(4)} ${name.slice(0, 3)}`;
  if (rules.hashAliases && entity.hashPrefix) name = `${entity.hashPrefix}#${name}`;
  if (random.chance(rules.paymentNoteRate)) name += paymentNote(random);
  if (random.chance(rules.trailingSpaceRate)) name += ' ';
  else if (random.chance(rules.nbspRate)) name += '\u00a0';

  const names = [name];
  const second = secondSpelling(name);
  if (random.chance(0.06) && second !== name) names.push(second);

  const identity: SupplierIdentity = { names };
  if (entity.vatNumber && random.chance(rules.vatNumberRate)) identity.vatNumber = entity.vatNumber;
  if (entity.companyNumber && random.chance(rules.companyNumberRate)) {
    identity.companyNumber = rules.dropsCompanyNumberZero
      ? entity.companyNumber.replace(/^0+/, '')
      : entity.companyNumber;
  }
  if (rules.supplierRefPrefix)
    identity.ref = `${rules.supplierRefPrefix}${100_000 + ordinal * 13 + bodyOrdinal}`;
  return identity;
}
