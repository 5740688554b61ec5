/**
 * What the partnership buys: trades (what an invoice is for) and the shared item catalogue.
 * Category codes are real ProClass 17.1 and CPV 2008 codes, hand-picked and typed in.
 * `itemCode` is the partnership's common catalogue code, the same for every body and supplier,
 * so that unit prices can be compared across bodies.
 */
import { toScaled } from '../lib/money.ts';
import type { BodyKind, ServiceRole } from './bodies.ts';

export type TradeId =
  | 'stationery'
  | 'cleaning'
  | 'ppe'
  | 'ict-hardware'
  | 'fuel'
  | 'food'
  | 'medical'
  | 'highways-materials'
  | 'firefighting'
  | 'police-equipment'
  | 'education-resources'
  | 'furniture'
  | 'electricity'
  | 'gas'
  | 'water'
  | 'telecoms'
  | 'software'
  | 'agency-staff'
  | 'social-care'
  | 'fostering'
  | 'personal-payments'
  | 'taxi'
  | 'waste'
  | 'building-works'
  | 'highways-works'
  | 'cleaning-services'
  | 'legal'
  | 'consultancy'
  | 'training'
  | 'vehicle-maintenance'
  | 'insurance'
  | 'postage'
  | 'security'
  | 'catering-services'
  | 'overseas';

export interface Category {
  proclass: readonly [code: string, label: string];
  cpv: readonly [code: string, label: string];
}

export interface CatalogueItem {
  itemCode: string;
  description: string;
  unit: string;
  /** The list price in ten-thousandths of a pound; each body pays its own price around it. */
  listPrice: bigint;
  /** Fuel is priced to 4 places and bought in multiples of 100 litres, so lines stay whole pence. */
  quantityStep: 1 | 100;
  pricePlaces: 2 | 4;
  trade: TradeId;
  category: Category;
  vatPercent: bigint;
}

/** What a service invoice line looks like: quantity × unit price within a range, and its wording. */
export interface ServiceLine {
  unit: string;
  quantity: readonly [min: number, max: number];
  /** Unit price range as decimal strings; 4 places only together with a quantity step of 100. */
  price: readonly [min: string, max: string];
  quantityStep?: 100;
  onlyFor?: readonly BodyKind[];
  describe: (words: DescriptionWords) => string;
}

/** Words a description may use, drawn for the document being written. */
export interface DescriptionWords {
  month: string;
  site: string;
  date: string;
  pick: (options: readonly string[]) => string;
  number: () => number;
}

export interface Trade {
  id: TradeId;
  kind: 'catalogue' | 'service' | 'personal' | 'overseas';
  expenseType: string;
  role: ServiceRole;
  category: Category;
  vatPercent: bigint;
  /** How often a fully PO-compliant body raises a purchase order for this trade (utilities: never). */
  poShare: number;
  services?: readonly ServiceLine[];
}

const pc = (code: string, label: string) => [code, label] as const;

const CATEGORIES = {
  paper: {
    proclass: pc('341013', 'Stationery - Paper Products - Paper & Board'),
    cpv: pc('30197630-1', 'Printing paper'),
  },
  officeSupplies: {
    proclass: pc('341100', 'Stationery - Sundries'),
    cpv: pc('30192000-1', 'Office supplies'),
  },
  toner: {
    proclass: pc('341199', 'Stationery - Sundries - Not Elsewhere Classified'),
    cpv: pc('30125100-2', 'Toner cartridges'),
  },
  cleaningChemical: {
    proclass: pc('131010', 'Cleaning & Janitorial - Cleaning Materials - Chemical'),
    cpv: pc('39830000-9', 'Cleaning products'),
  },
  janitorial: {
    proclass: pc('131011', 'Cleaning & Janitorial - Cleaning Materials - Janitorial'),
    cpv: pc('39800000-0', 'Cleaning and polishing products'),
  },
  ppe: {
    proclass: pc('141100', 'Clothing - Protective'),
    cpv: pc('35113400-3', 'Protective and safety clothing'),
  },
  gloves: {
    proclass: pc('141111', 'Clothing - Protective - Disposable Clothing'),
    cpv: pc('18424300-0', 'Disposable gloves'),
  },
  footwear: {
    proclass: pc('141312', 'Clothing - Uniforms - Footwear'),
    cpv: pc('18830000-6', 'Protective footwear'),
  },
  ictHardware: {
    proclass: pc('271200', 'Information Communication Technology - Hardware'),
    cpv: pc('30213100-6', 'Portable computers'),
  },
  ictAccessories: {
    proclass: pc('271200', 'Information Communication Technology - Hardware'),
    cpv: pc('30237200-1', 'Computer accessories'),
  },
  mobiles: {
    proclass: pc('271800', 'Information Communication Technology - Telecommunications - Mobile'),
    cpv: pc('32250000-0', 'Mobile telephones'),
  },
  diesel: { proclass: pc('381100', 'Vehicle Management - Fuel'), cpv: pc('09134100-8', 'Diesel oil') },
  petrol: { proclass: pc('381100', 'Vehicle Management - Fuel'), cpv: pc('09132100-4', 'Unleaded petrol') },
  food: {
    proclass: pc('111200', 'Catering - Food & Beverages'),
    cpv: pc('15800000-6', 'Miscellaneous food products'),
  },
  dairy: {
    proclass: pc('111210', 'Catering - Food & Beverages - School Milk'),
    cpv: pc('15500000-3', 'Dairy products'),
  },
  medical: {
    proclass: pc('311000', 'Healthcare - Consumables'),
    cpv: pc('33140000-3', 'Medical consumables'),
  },
  dressings: { proclass: pc('311000', 'Healthcare - Consumables'), cpv: pc('33141110-4', 'Dressings') },
  medicalEquipment: {
    proclass: pc('311300', 'Healthcare - Equipment'),
    cpv: pc('33141620-2', 'Medical kits'),
  },
  asphalt: {
    proclass: pc('231100', 'Highway Equipment & Materials - Bituminous Materials & Surface Dressings'),
    cpv: pc('44113620-7', 'Asphalt'),
  },
  salt: {
    proclass: pc('351300', 'Highway Equipment & Materials - Rock Salt / Grit'),
    cpv: pc('14410000-8', 'Rock salt'),
  },
  roadMaterials: {
    proclass: pc('231000', 'Highway Equipment & Materials - Aggregates'),
    cpv: pc('44113000-5', 'Road-construction materials'),
  },
  firefighting: {
    proclass: pc('221000', 'Health & Safety - Products'),
    cpv: pc('35113000-9', 'Safety equipment'),
  },
  fireClothing: {
    proclass: pc('141100', 'Clothing - Protective'),
    cpv: pc('18100000-0', 'Occupational clothing, special workwear and accessories'),
  },
  police: {
    proclass: pc('192212', 'Facilities & Management Services - Security - Equipment'),
    cpv: pc('35200000-6', 'Police equipment'),
  },
  schoolSupplies: { proclass: pc('171100', 'Education - Supplies'), cpv: pc('30192700-8', 'Stationery') },
  schoolBooks: { proclass: pc('171116', 'Education - School Books'), cpv: pc('22112000-8', 'Textbooks') },
  furniture: {
    proclass: pc('211200', 'Furniture & Soft Furnishings - Office Furniture'),
    cpv: pc('39130000-2', 'Office furniture'),
  },
  schoolFurniture: {
    proclass: pc('171112', 'Furniture & Soft Furnishings - Educational Furniture'),
    cpv: pc('39130000-2', 'Office furniture'),
  },
  electricity: { proclass: pc('371000', 'Utilities - Electricity'), cpv: pc('09310000-5', 'Electricity') },
  gas: { proclass: pc('371100', 'Utilities - Gas'), cpv: pc('09123000-7', 'Natural gas') },
  water: { proclass: pc('371300', 'Utilities - Water'), cpv: pc('65110000-7', 'Water distribution') },
  telecoms: {
    proclass: pc('271700', 'Information Communication Technology - Telecommunications - Fixed'),
    cpv: pc('64210000-1', 'Telephone and data transmission services'),
  },
  software: {
    proclass: pc('271430', 'Information Communication Technology - Software - Commercial Off-The-Shelf'),
    cpv: pc('48000000-8', 'Software package and information systems'),
  },
  agency: {
    proclass: pc('261400', 'Human Resources - Temporary & Agency Staff'),
    cpv: pc('79620000-6', 'Supply services of personnel including temporary staff'),
  },
  adultCare: {
    proclass: pc(
      '321017',
      'Social Community Care Supplies & Services - Adult - Nursing & Residential Care Homes',
    ),
    cpv: pc('85311000-2', 'Social work services with accommodation'),
  },
  fostering: {
    proclass: pc(
      '401303',
      'Social Community Care Supplies & Services - Children - Residential Services - Foster Care',
    ),
    cpv: pc('85311000-2', 'Social work services with accommodation'),
  },
  directPayments: {
    proclass: pc('321500', 'Social Community Care Supplies & Services - Adult - Direct Payment'),
    cpv: pc('85312000-9', 'Social work services without accommodation'),
  },
  taxi: {
    proclass: pc('361412', 'Passenger Transport - Taxi Services - Home to School / College'),
    cpv: pc('60120000-5', 'Taxi services'),
  },
  waste: {
    proclass: pc('182015', 'Environmental Services - Waste Management - Waste Disposal'),
    cpv: pc('90511000-2', 'Refuse collection services'),
  },
  buildingWorks: {
    proclass: pc('391111', 'Works - Construction, Repair & Maintenance - Buildings - Repair & Maintenance'),
    cpv: pc('50000000-5', 'Repair and maintenance services'),
  },
  roadWorks: {
    proclass: pc(
      '391465',
      'Works - Construction, Repair & Maintenance - Roads - Reconstruction & Resurfacing',
    ),
    cpv: pc('45233141-9', 'Road-maintenance works'),
  },
  cleaningServices: {
    proclass: pc('131330', 'Cleaning & Janitorial - Cleaning Service - Internal'),
    cpv: pc('90000000-7', 'Sewage, refuse, cleaning and environmental services'),
  },
  legal: {
    proclass: pc('281300', 'Legal Services - Legal Opinion'),
    cpv: pc('79111000-5', 'Legal advisory services'),
  },
  consultancy: {
    proclass: pc('151900', 'Consultancy - Management'),
    cpv: pc('79411000-8', 'General management consultancy services'),
  },
  training: {
    proclass: pc('261520', 'Human Resources - Training & Conferences - Training'),
    cpv: pc('80500000-9', 'Training services'),
  },
  vehicles: {
    proclass: pc('381400', 'Vehicle Management - Maintenance'),
    cpv: pc('50000000-5', 'Repair and maintenance services'),
  },
  insurance: {
    proclass: pc('201800', 'Financial Services - Insurance'),
    cpv: pc('66510000-8', 'Insurance services'),
  },
  postage: { proclass: pc('301200', 'Mail Services - Postage'), cpv: pc('64110000-0', 'Postal services') },
  security: {
    proclass: pc('192200', 'Facilities & Management Services - Security'),
    cpv: pc('79710000-4', 'Security services'),
  },
  catering: {
    proclass: pc('111220', 'Catering - School Meals Service'),
    cpv: pc('55524000-9', 'School catering services'),
  },
  overseas: {
    proclass: pc('271440', 'Information Communication Technology - Software'),
    cpv: pc('48900000-7', 'Miscellaneous software package and computer systems'),
  },
} satisfies Record<string, Category>;

type ItemRow = readonly [itemCode: string, description: string, unit: string, listPrice: string];

/** Items of one trade that share a category; `vat` overrides the trade's rate (food, books). */
interface ItemGroup {
  trade: TradeId;
  category: Category;
  vat?: bigint;
  items: readonly ItemRow[];
}

const ITEM_GROUPS: readonly ItemGroup[] = [
  {
    trade: 'stationery',
    category: CATEGORIES.paper,
    items: [
      ['OFF-0001', 'Copier paper A4 80gsm white, box of 5 reams', 'box', '21.95'],
      ['OFF-0002', 'Copier paper A3 80gsm white, box of 5 reams', 'box', '39.50'],
      ['OFF-0003', 'Recycled copier paper A4 80gsm, box of 5 reams', 'box', '23.40'],
      ['OFF-0008', 'Envelopes C4 self-seal white, box of 250', 'box', '22.75'],
      ['OFF-0009', 'Envelopes DL window self-seal, box of 1000', 'box', '27.30'],
      ['OFF-0013', 'Labels 99.1x38.1mm, box of 100 sheets', 'box', '21.40'],
      ['OFF-0014', 'Notebooks A4 ruled wirebound, pack of 10', 'pack', '16.50'],
    ],
  },
  {
    trade: 'stationery',
    category: CATEGORIES.officeSupplies,
    items: [
      ['OFF-0004', 'Ballpoint pens black medium, pack of 50', 'pack', '6.80'],
      ['OFF-0005', 'Ballpoint pens blue medium, pack of 50', 'pack', '6.80'],
      ['OFF-0006', 'Lever arch files A4 75mm, pack of 10', 'pack', '18.90'],
      ['OFF-0007', 'Suspension files foolscap, box of 50', 'box', '24.60'],
      ['OFF-0010', 'Sticky notes 76x76mm yellow, pack of 12', 'pack', '5.95'],
      ['OFF-0015', 'Highlighters assorted, pack of 10', 'pack', '4.90'],
      ['OFF-0016', 'Staples 26/6, box of 5000', 'box', '1.20'],
      ['OFF-0017', 'Desk diary A4 week to view', 'each', '9.85'],
      ['OFF-0018', 'Whiteboard markers assorted, pack of 4', 'pack', '3.60'],
      ['OFF-0019', 'Correction tape roller, pack of 10', 'pack', '8.40'],
      ['OFF-0020', 'Archive storage boxes, pack of 10', 'pack', '19.95'],
    ],
  },
  {
    trade: 'stationery',
    category: CATEGORIES.toner,
    items: [
      ['OFF-0011', 'Toner cartridge HP 59A black', 'each', '96.40'],
      ['OFF-0012', 'Toner cartridge Brother TN-2420 black', 'each', '58.20'],
    ],
  },
  {
    trade: 'cleaning',
    category: CATEGORIES.cleaningChemical,
    items: [
      ['CLN-0001', 'Washing-up liquid 5 litre', 'each', '6.45'],
      ['CLN-0002', 'Hard surface sanitiser spray 750ml, case of 6', 'case', '14.20'],
      ['CLN-0003', 'Toilet cleaner 1 litre, case of 12', 'case', '13.80'],
      ['CLN-0004', 'Hand soap refill 800ml, case of 6', 'case', '22.90'],
      ['CLN-0009', 'Floor cleaner neutral 5 litre', 'each', '8.90'],
      ['CLN-0010', 'Bleach thick 5 litre', 'each', '5.10'],
      ['CLN-0013', 'Dishwasher detergent 5 litre', 'each', '15.60'],
      ['CLN-0015', 'Hand sanitiser gel 500ml pump', 'each', '3.45'],
    ],
  },
  {
    trade: 'cleaning',
    category: CATEGORIES.janitorial,
    items: [
      ['CLN-0005', 'Centrefeed blue roll 2-ply, case of 6', 'case', '17.60'],
      ['CLN-0006', 'Toilet rolls 2-ply 200 sheets, case of 36', 'case', '16.95'],
      ['CLN-0007', 'Black refuse sacks heavy duty, box of 200', 'box', '19.40'],
      ['CLN-0008', 'Mop head socket 16oz', 'each', '2.35'],
      ['CLN-0011', 'Paper hand towels C-fold, case of 2400', 'case', '18.75'],
      ['CLN-0012', 'Microfibre cloths assorted, pack of 10', 'pack', '6.30'],
    ],
  },
  {
    trade: 'ppe',
    category: CATEGORIES.ppe,
    items: [
      ['PPE-0003', 'Hi-vis vest yellow EN ISO 20471, size L', 'each', '1.85'],
      ['PPE-0004', 'Hi-vis jacket orange rail spec, size XL', 'each', '24.50'],
      ['PPE-0006', 'Safety helmet white vented', 'each', '8.75'],
      ['PPE-0007', 'FFP3 disposable respirator, box of 10', 'box', '22.80'],
      ['PPE-0008', 'Type IIR surgical face masks, box of 50', 'box', '3.90'],
      ['PPE-0010', 'Safety glasses clear anti-mist', 'each', '2.10'],
      ['PPE-0012', 'Ear defenders SNR 30dB', 'each', '6.40'],
      ['PPE-0013', 'Waterproof overtrousers hi-vis, size L', 'each', '11.90'],
      ['PPE-0015', 'First aid kit BS 8599-1 medium', 'each', '27.50'],
    ],
  },
  {
    trade: 'ppe',
    category: CATEGORIES.gloves,
    items: [
      ['PPE-0001', 'Nitrile gloves powder-free medium, box of 100', 'box', '4.95'],
      ['PPE-0002', 'Nitrile gloves powder-free large, box of 100', 'box', '4.95'],
      ['PPE-0009', 'Disposable aprons white, roll of 200', 'roll', '5.60'],
      ['PPE-0011', 'Cut-resistant gloves level C', 'pair', '3.75'],
      ['PPE-0014', 'Coveralls disposable type 5/6, size XL', 'each', '3.20'],
    ],
  },
  {
    trade: 'ppe',
    category: CATEGORIES.footwear,
    items: [['PPE-0005', 'Safety boots S3 black, size 9', 'pair', '42.00']],
  },
  {
    trade: 'ict-hardware',
    category: CATEGORIES.ictHardware,
    items: [
      ['ICT-0001', 'Laptop 14in Core i5 16GB 512GB SSD', 'each', '689.00'],
      ['ICT-0002', 'Laptop 14in Core i7 32GB 1TB SSD', 'each', '1049.00'],
      ['ICT-0003', 'Desktop PC small form factor Core i5 16GB', 'each', '579.00'],
      ['ICT-0010', 'Rugged tablet 10in 4G', 'each', '899.00'],
      ['ICT-0015', 'Multifunction printer A4 colour', 'each', '449.00'],
    ],
  },
  {
    trade: 'ict-hardware',
    category: CATEGORIES.ictAccessories,
    items: [
      ['ICT-0004', 'Monitor 24in full HD USB-C', 'each', '139.00'],
      ['ICT-0005', 'Monitor 27in QHD USB-C', 'each', '219.00'],
      ['ICT-0006', 'USB-C docking station', 'each', '164.00'],
      ['ICT-0007', 'Wireless keyboard and mouse set', 'each', '27.90'],
      ['ICT-0008', 'Headset USB stereo with noise-cancelling mic', 'each', '38.50'],
      ['ICT-0009', 'Webcam 1080p', 'each', '44.00'],
      ['ICT-0012', 'Laptop bag 15.6in', 'each', '19.80'],
      ['ICT-0013', 'USB memory stick 64GB encrypted', 'each', '54.00'],
      ['ICT-0014', 'HDMI cable 2m', 'each', '4.20'],
    ],
  },
  {
    trade: 'ict-hardware',
    category: CATEGORIES.mobiles,
    items: [['ICT-0011', 'Smartphone Android 128GB', 'each', '329.00']],
  },
  {
    trade: 'fuel',
    category: CATEGORIES.diesel,
    items: [
      ['FUL-0001', 'Diesel (DERV) bulk delivery', 'litre', '1.3875'],
      ['FUL-0003', 'Gas oil for heating, bulk delivery', 'litre', '0.8965'],
      ['FUL-0004', 'HVO renewable diesel bulk delivery', 'litre', '1.5620'],
    ],
  },
  {
    trade: 'fuel',
    category: CATEGORIES.petrol,
    items: [['FUL-0002', 'Unleaded petrol bulk delivery', 'litre', '1.4290']],
  },
  {
    trade: 'food',
    category: CATEGORIES.dairy,
    vat: 0n,
    items: [
      ['FOD-0001', 'Semi-skimmed milk 1 pint, crate of 20', 'crate', '12.40'],
      ['FOD-0002', 'Butter salted 250g, case of 40', 'case', '68.00'],
      ['FOD-0003', 'Cheddar cheese mild block 5kg', 'each', '31.50'],
    ],
  },
  {
    trade: 'food',
    category: CATEGORIES.food,
    vat: 0n,
    items: [
      ['FOD-0004', 'Free-range eggs large, tray of 30', 'tray', '7.80'],
      ['FOD-0005', 'Wholemeal bread sliced 800g', 'each', '1.15'],
      ['FOD-0006', 'Basmati rice 10kg', 'each', '17.20'],
      ['FOD-0007', 'Penne pasta 3kg', 'each', '4.60'],
      ['FOD-0008', 'Chopped tomatoes 2.5kg tin, case of 6', 'case', '14.40'],
      ['FOD-0009', 'Frozen garden peas 2.5kg', 'each', '4.25'],
      ['FOD-0010', 'Chicken breast fillets frozen 5kg', 'each', '32.90'],
      ['FOD-0011', 'Beef mince 15% fat frozen 2.27kg', 'each', '17.75'],
      ['FOD-0012', 'Potatoes baking 15kg', 'sack', '9.40'],
      ['FOD-0013', 'Apples eating, box of 100', 'box', '22.00'],
      ['FOD-0014', 'Bananas, box of 150', 'box', '19.50'],
      ['FOD-0015', 'Baked beans 2.62kg tin, case of 6', 'case', '15.80'],
      ['FOD-0016', 'Tea bags, box of 1100', 'box', '17.90'],
      ['FOD-0017', 'Instant coffee 750g', 'each', '14.60'],
      ['FOD-0018', 'Orange juice 1 litre, case of 12', 'case', '9.90'],
      ['FOD-0019', 'Vegetable oil 20 litre', 'each', '29.40'],
      ['FOD-0020', 'Plain flour 16kg', 'each', '10.80'],
    ],
  },
  {
    trade: 'medical',
    category: CATEGORIES.medical,
    items: [
      ['MED-0001', 'Examination gloves nitrile medium, box of 200', 'box', '6.90'],
      ['MED-0004', 'Syringe 10ml luer lock, box of 100', 'box', '11.40'],
      ['MED-0005', 'Hypodermic needle 21G, box of 100', 'box', '4.30'],
      ['MED-0006', 'Cannula IV 20G, box of 50', 'box', '41.00'],
      ['MED-0007', 'Alcohol wipes 70% IPA, box of 200', 'box', '3.10'],
      ['MED-0008', 'Catheter Foley 14Ch', 'each', '2.95'],
      ['MED-0009', 'Saline 0.9% 500ml infusion bag', 'each', '1.38'],
      ['MED-0010', 'Surgical scalpel blade no.10, box of 100', 'box', '9.80'],
      ['MED-0011', 'Sharps container 5 litre', 'each', '2.45'],
      ['MED-0012', 'Incontinence pads super, pack of 28', 'pack', '8.90'],
      ['MED-0015', 'Oxygen mask adult with tubing', 'each', '0.92'],
    ],
  },
  {
    trade: 'medical',
    category: CATEGORIES.dressings,
    items: [
      ['MED-0002', 'Sterile dressing pad 10x10cm, box of 100', 'box', '14.20'],
      ['MED-0003', 'Adhesive wound dressing 9x10cm, box of 50', 'box', '8.60'],
      ['MED-0016', 'Crepe bandage 7.5cm x 4.5m, pack of 12', 'pack', '5.40'],
      ['MED-0018', 'Hydrogel dressing 15g, pack of 10', 'pack', '23.70'],
      ['MED-0019', 'Burns dressing 10x10cm', 'each', '3.85'],
    ],
  },
  {
    trade: 'medical',
    category: CATEGORIES.medicalEquipment,
    items: [
      ['MED-0013', 'Blood pressure cuff adult reusable', 'each', '18.60'],
      ['MED-0014', 'Pulse oximeter fingertip', 'each', '24.90'],
      ['MED-0017', 'Suture removal kit, box of 50', 'box', '28.50'],
      ['MED-0020', 'Defibrillator pads adult', 'pair', '39.00'],
    ],
  },
  {
    trade: 'highways-materials',
    category: CATEGORIES.salt,
    items: [
      ['HWY-0001', 'Rock salt 6mm brown, bulk', 'tonne', '62.50'],
      ['HWY-0002', 'Rock salt 1 tonne bag', 'bag', '88.00'],
    ],
  },
  {
    trade: 'highways-materials',
    category: CATEGORIES.asphalt,
    items: [
      ['HWY-0003', 'Hot rolled asphalt 55/10', 'tonne', '78.40'],
      ['HWY-0004', 'SMA 10mm surface course', 'tonne', '84.60'],
      ['HWY-0005', 'Cold lay tarmac 25kg tub', 'each', '11.90'],
      ['HWY-0010', 'Bitumen emulsion for pothole repair 25 litre', 'each', '34.20'],
    ],
  },
  {
    trade: 'highways-materials',
    category: CATEGORIES.roadMaterials,
    items: [
      ['HWY-0006', 'Concrete kerb half battered 125x255x915', 'each', '5.85'],
      ['HWY-0007', 'Type 1 sub-base aggregate', 'tonne', '24.30'],
      ['HWY-0008', 'Gully grate and frame D400', 'each', '96.00'],
      ['HWY-0009', 'Road cone 750mm with sleeve', 'each', '9.40'],
      ['HWY-0011', 'Road marking thermoplastic white 25kg', 'bag', '27.80'],
      ['HWY-0012', 'Pedestrian barrier 2m', 'each', '36.50'],
    ],
  },
  {
    trade: 'firefighting',
    category: CATEGORIES.fireClothing,
    items: [
      ['FRS-0001', 'Structural firefighting tunic EN 469', 'each', '548.00'],
      ['FRS-0002', 'Structural firefighting trousers EN 469', 'each', '389.00'],
      ['FRS-0003', 'Firefighting helmet EN 443', 'each', '312.00'],
      ['FRS-0004', 'Firefighting gloves EN 659', 'pair', '64.50'],
    ],
  },
  {
    trade: 'firefighting',
    category: CATEGORIES.firefighting,
    items: [
      ['FRS-0005', 'Fire hose 45mm x 23m with couplings', 'each', '186.00'],
      ['FRS-0006', 'Fire hose 70mm x 23m with couplings', 'each', '238.00'],
      ['FRS-0007', 'Breathing apparatus cylinder 6.8 litre carbon', 'each', '735.00'],
      ['FRS-0008', 'Breathing apparatus face mask', 'each', '284.00'],
      ['FRS-0009', 'Foam concentrate fluorine-free 25 litre', 'each', '118.00'],
      ['FRS-0010', 'Thermal imaging camera', 'each', '3950.00'],
      ['FRS-0011', 'Smoke alarm 10-year sealed battery', 'each', '11.40'],
      ['FRS-0012', 'Fire extinguisher water 9 litre', 'each', '39.80'],
    ],
  },
  {
    trade: 'police-equipment',
    category: CATEGORIES.police,
    items: [
      ['POL-0001', 'Body worn video camera', 'each', '455.00'],
      ['POL-0002', 'Rigid handcuffs', 'each', '49.50'],
      ['POL-0003', 'Incapacitant spray PAVA', 'each', '21.80'],
      ['POL-0004', 'Extendable baton 21in', 'each', '74.00'],
      ['POL-0005', 'Stab-resistant body armour KR1', 'each', '389.00'],
      ['POL-0006', 'Evidence bags tamper-evident, pack of 100', 'pack', '28.40'],
      ['POL-0007', 'Breath alcohol test mouthpieces, box of 250', 'box', '42.50'],
      ['POL-0008', 'Drug wipe test kit', 'each', '14.90'],
      ['POL-0009', 'Torch LED rechargeable', 'each', '68.00'],
      ['POL-0010', 'Custody blanket fire-retardant', 'each', '17.60'],
      ['POL-0011', 'Spit guard hood, pack of 10', 'pack', '31.00'],
      ['POL-0012', 'Airwave radio battery high capacity', 'each', '58.00'],
    ],
  },
  {
    trade: 'education-resources',
    category: CATEGORIES.schoolSupplies,
    items: [
      ['EDU-0001', 'Exercise books A4 8mm ruled 48 pages, pack of 50', 'pack', '11.90'],
      ['EDU-0002', 'Exercise books A5 squared, pack of 100', 'pack', '14.50'],
      ['EDU-0003', 'Colouring pencils assorted, class pack of 288', 'pack', '19.80'],
      ['EDU-0004', 'Glue sticks 40g, pack of 30', 'pack', '12.40'],
      ['EDU-0005', 'Mini whiteboards A4, pack of 30', 'pack', '21.60'],
      ['EDU-0006', 'Scientific calculator', 'each', '8.95'],
      ['EDU-0009', 'Cartridge paper A3 140gsm, pack of 250', 'pack', '16.70'],
      ['EDU-0010', 'Science goggles EN166, pack of 10', 'pack', '22.50'],
      ['EDU-0011', 'PE bibs assorted colours, pack of 10', 'pack', '12.90'],
    ],
  },
  {
    trade: 'education-resources',
    category: CATEGORIES.schoolBooks,
    vat: 0n,
    items: [
      ['EDU-0007', 'GCSE Mathematics textbook Higher', 'each', '24.99'],
      ['EDU-0008', 'Phonics reading scheme book set', 'set', '64.00'],
      ['EDU-0012', 'Reading record books, pack of 50', 'pack', '27.50'],
    ],
  },
  {
    trade: 'furniture',
    category: CATEGORIES.furniture,
    items: [
      ['FUR-0001', 'Operator chair synchronous mechanism', 'each', '119.00'],
      ['FUR-0002', 'Straight desk 1600x800', 'each', '168.00'],
      ['FUR-0003', 'Sit-stand desk electric 1400x800', 'each', '349.00'],
      ['FUR-0004', 'Pedestal 3-drawer mobile', 'each', '112.00'],
      ['FUR-0005', 'Meeting chair stackable', 'each', '39.50'],
      ['FUR-0006', 'Steel cupboard 1830mm', 'each', '214.00'],
      ['FUR-0009', 'Locker 4-door steel', 'each', '129.00'],
      ['FUR-0010', 'Bookcase 1800mm', 'each', '98.00'],
    ],
  },
  {
    trade: 'furniture',
    category: CATEGORIES.schoolFurniture,
    items: [
      ['FUR-0007', 'Classroom chair size 6', 'each', '18.90'],
      ['FUR-0008', 'Classroom table 1200x600', 'each', '64.00'],
    ],
  },
];

const catalogueTrade = (
  id: TradeId,
  expenseType: string,
  role: ServiceRole,
  category: Category,
  poShare: number,
): Trade => ({ id, kind: 'catalogue', expenseType, role, category, vatPercent: 20n, poShare });

export const TRADES: Readonly<Record<TradeId, Trade>> = {
  stationery: catalogueTrade('stationery', 'Stationery', 'corporate', CATEGORIES.officeSupplies, 0.85),
  cleaning: catalogueTrade('cleaning', 'Cleaning Materials', 'estates', CATEGORIES.cleaningChemical, 0.8),
  ppe: catalogueTrade('ppe', 'Protective Clothing', 'operations', CATEGORIES.ppe, 0.85),
  'ict-hardware': catalogueTrade('ict-hardware', 'ICT Equipment', 'ict', CATEGORIES.ictHardware, 0.95),
  fuel: catalogueTrade('fuel', 'Vehicle Fuel', 'fleet', CATEGORIES.diesel, 0.9),
  food: catalogueTrade('food', 'Catering Provisions', 'operations', CATEGORIES.food, 0.75),
  medical: catalogueTrade('medical', 'Medical Supplies', 'clinical', CATEGORIES.medical, 0.9),
  'highways-materials': catalogueTrade(
    'highways-materials',
    'Highways Materials',
    'highways',
    CATEGORIES.roadMaterials,
    0.9,
  ),
  firefighting: catalogueTrade(
    'firefighting',
    'Operational Equipment',
    'operations',
    CATEGORIES.firefighting,
    0.95,
  ),
  'police-equipment': catalogueTrade(
    'police-equipment',
    'Operational Equipment',
    'operations',
    CATEGORIES.police,
    0.95,
  ),
  'education-resources': catalogueTrade(
    'education-resources',
    'Curriculum Resources',
    'education',
    CATEGORIES.schoolSupplies,
    0.6,
  ),
  furniture: catalogueTrade('furniture', 'Furniture & Fittings', 'estates', CATEGORIES.furniture, 0.9),
  electricity: {
    id: 'electricity',
    kind: 'service',
    expenseType: 'Electricity',
    role: 'estates',
    category: CATEGORIES.electricity,
    vatPercent: 20n,
    poShare: 0,
    services: [
      {
        unit: 'kWh',
        quantity: [2_000, 90_000],
        quantityStep: 100,
        price: ['0.1980', '0.3120'],
        describe: (x) => `Electricity ${x.site} ${x.month}`,
      },
    ],
  },
  gas: {
    id: 'gas',
    kind: 'service',
    expenseType: 'Gas',
    role: 'estates',
    category: CATEGORIES.gas,
    vatPercent: 20n,
    poShare: 0,
    services: [
      {
        unit: 'kWh',
        quantity: [5_000, 120_000],
        quantityStep: 100,
        price: ['0.0520', '0.0890'],
        describe: (x) => `Gas supply ${x.site} ${x.month}`,
      },
    ],
  },
  water: {
    id: 'water',
    kind: 'service',
    expenseType: 'Water Charges',
    role: 'estates',
    category: CATEGORIES.water,
    vatPercent: 0n,
    poShare: 0,
    services: [
      {
        unit: 'm3',
        quantity: [20, 900],
        price: ['2.15', '3.40'],
        describe: (x) => `Water and sewerage ${x.site} ${x.month}`,
      },
    ],
  },
  telecoms: {
    id: 'telecoms',
    kind: 'service',
    expenseType: 'Telephones',
    role: 'ict',
    category: CATEGORIES.telecoms,
    vatPercent: 20n,
    poShare: 0.3,
    services: [
      {
        unit: 'connection',
        quantity: [20, 400],
        price: ['8.50', '14.00'],
        describe: (x) => `Mobile airtime ${x.month}`,
      },
      {
        unit: 'month',
        quantity: [1, 1],
        price: ['350.00', '4500.00'],
        describe: (x) => `Broadband and line rental ${x.month}`,
      },
    ],
  },
  software: {
    id: 'software',
    kind: 'service',
    expenseType: 'Software Licences',
    role: 'ict',
    category: CATEGORIES.software,
    vatPercent: 20n,
    poShare: 0.8,
    services: [
      {
        unit: 'licence',
        quantity: [10, 500],
        price: ['12.00', '180.00'],
        describe: (x) =>
          `Annual licence renewal – ${x.pick(['case management', 'payroll', 'revenues & benefits', 'HR', 'finance', 'library management'])} system`,
      },
      {
        unit: 'year',
        quantity: [1, 1],
        price: ['2000.00', '60000.00'],
        describe: (x) => `Support and maintenance ${x.pick(['2023/24', '2024/25', '2025/26'])}`,
      },
    ],
  },
  'agency-staff': {
    id: 'agency-staff',
    kind: 'service',
    expenseType: 'Agency Staff',
    role: 'corporate',
    category: CATEGORIES.agency,
    vatPercent: 20n,
    poShare: 0.6,
    services: [
      {
        unit: 'hour',
        quantity: [15, 40],
        price: ['18.00', '65.00'],
        onlyFor: ['council', 'fire', 'police', 'other'],
        describe: (x) =>
          `Agency ${x.pick(['Social Worker', 'Occupational Therapist', 'Planning Officer', 'Admin Assistant', 'HGV Driver', 'Finance Officer', 'Call Handler'])} – w/e ${x.date}`,
      },
      {
        unit: 'day',
        quantity: [1, 5],
        price: ['165.00', '240.00'],
        onlyFor: ['school'],
        describe: (x) => `Supply teacher cover – w/e ${x.date}`,
      },
      {
        unit: 'hour',
        quantity: [8, 48],
        price: ['32.00', '140.00'],
        onlyFor: ['health'],
        describe: (x) =>
          `${x.pick(['Agency nurse Band 5', 'Agency nurse Band 6', 'Locum registrar', 'Locum consultant', 'Agency radiographer'])} – w/e ${x.date}`,
      },
    ],
  },
  'social-care': {
    id: 'social-care',
    kind: 'service',
    expenseType: 'Residential & Home Care',
    role: 'adult-care',
    category: CATEGORIES.adultCare,
    vatPercent: 0n,
    poShare: 0.2,
    services: [
      {
        unit: 'week',
        quantity: [1, 4],
        price: ['780.00', '1650.00'],
        describe: (x) => `Residential care placement – w/c ${x.date}`,
      },
      {
        unit: 'hour',
        quantity: [40, 600],
        price: ['21.50', '26.80'],
        describe: (x) => `Home care hours ${x.month}`,
      },
      {
        unit: 'month',
        quantity: [1, 1],
        price: ['3000.00', '12000.00'],
        describe: (x) => `Supported living package ${x.month}`,
      },
    ],
  },
  fostering: {
    id: 'fostering',
    kind: 'service',
    expenseType: "Children's Placements",
    role: 'children',
    category: CATEGORIES.fostering,
    vatPercent: 0n,
    poShare: 0.3,
    services: [
      {
        unit: 'week',
        quantity: [4, 5],
        price: ['850.00', '1250.00'],
        describe: (x) => `Independent fostering placement ${x.month}`,
      },
      {
        unit: 'week',
        quantity: [4, 5],
        price: ['4500.00', '7800.00'],
        describe: (x) => `Residential children's home placement ${x.month}`,
      },
    ],
  },
  'personal-payments': {
    id: 'personal-payments',
    kind: 'personal',
    expenseType: 'Direct Payments',
    role: 'adult-care',
    category: CATEGORIES.directPayments,
    vatPercent: 0n,
    poShare: 0,
    services: [
      {
        unit: 'payment',
        quantity: [1, 1],
        price: ['45.00', '2800.00'],
        onlyFor: ['council'],
        describe: (x) =>
          `${x.pick(['Direct payment', 'Personal budget', 'Foster carer allowance', 'Section 17 payment', 'Carers grant'])} ${x.month}`,
      },
      {
        unit: 'payment',
        quantity: [1, 1],
        price: ['60.00', '4000.00'],
        onlyFor: ['police', 'fire', 'health', 'school', 'other'],
        describe: (x) =>
          `${x.pick(['Compensation payment', 'Witness expenses', 'Settlement', 'Confidential payment'])} ${x.month}`,
      },
    ],
  },
  taxi: {
    id: 'taxi',
    kind: 'service',
    expenseType: 'Passenger Transport',
    role: 'children',
    category: CATEGORIES.taxi,
    vatPercent: 20n,
    poShare: 0.5,
    services: [
      {
        unit: 'day',
        quantity: [15, 22],
        price: ['28.00', '95.00'],
        describe: (x) => `Home to school transport route ${x.number()} ${x.month}`,
      },
      {
        unit: 'journey',
        quantity: [1, 30],
        price: ['12.00', '60.00'],
        describe: (x) => `Taxi journeys ${x.month}`,
      },
    ],
  },
  waste: {
    id: 'waste',
    kind: 'service',
    expenseType: 'Waste Disposal',
    role: 'waste',
    category: CATEGORIES.waste,
    vatPercent: 20n,
    poShare: 0.7,
    services: [
      {
        unit: 'tonne',
        quantity: [20, 900],
        price: ['98.00', '135.00'],
        onlyFor: ['council'],
        describe: (x) => `Residual waste disposal ${x.month}`,
      },
      {
        unit: 'lift',
        quantity: [20, 200],
        price: ['9.50', '18.00'],
        describe: (x) => `Trade waste collection ${x.site} ${x.month}`,
      },
      {
        unit: 'consignment',
        quantity: [1, 30],
        price: ['45.00', '160.00'],
        onlyFor: ['health', 'police', 'fire'],
        describe: (x) => `Clinical and confidential waste collection ${x.month}`,
      },
    ],
  },
  'building-works': {
    id: 'building-works',
    kind: 'service',
    expenseType: 'Building Repairs & Maintenance',
    role: 'estates',
    category: CATEGORIES.buildingWorks,
    vatPercent: 20n,
    poShare: 0.85,
    services: [
      {
        unit: 'job',
        quantity: [1, 1],
        price: ['180.00', '9500.00'],
        describe: (x) => `Reactive repairs – ${x.site}`,
      },
      {
        unit: 'job',
        quantity: [1, 1],
        price: ['2000.00', '85000.00'],
        describe: (x) =>
          `Planned maintenance – ${x.site} (${x.pick(['roof', 'boiler replacement', 'rewire', 'windows', 'decoration'])})`,
      },
      {
        unit: 'visit',
        quantity: [1, 4],
        price: ['95.00', '420.00'],
        describe: (x) => `Gas safety and boiler service – ${x.site}`,
      },
    ],
  },
  'highways-works': {
    id: 'highways-works',
    kind: 'service',
    expenseType: 'Highways Maintenance',
    role: 'highways',
    category: CATEGORIES.roadWorks,
    vatPercent: 20n,
    poShare: 0.9,
    services: [
      {
        unit: 'sq m',
        quantity: [200, 6000],
        price: ['14.00', '32.00'],
        describe: (x) =>
          `Carriageway resurfacing – ${x.pick(['A59', 'A6', 'B5251', 'C412', 'Mill Lane', 'Station Road', 'High Street'])}`,
      },
      {
        unit: 'gully',
        quantity: [100, 2000],
        price: ['6.50', '11.00'],
        describe: (x) => `Gully emptying ${x.month}`,
      },
      {
        unit: 'job',
        quantity: [1, 1],
        price: ['350.00', '6500.00'],
        describe: (x) => `Emergency pothole repairs ${x.date}`,
      },
    ],
  },
  'cleaning-services': {
    id: 'cleaning-services',
    kind: 'service',
    expenseType: 'Contract Cleaning',
    role: 'estates',
    category: CATEGORIES.cleaningServices,
    vatPercent: 20n,
    poShare: 0.7,
    services: [
      {
        unit: 'month',
        quantity: [1, 1],
        price: ['900.00', '14000.00'],
        describe: (x) => `Contract cleaning ${x.site} ${x.month}`,
      },
      {
        unit: 'job',
        quantity: [1, 1],
        price: ['150.00', '2400.00'],
        describe: (x) => `Window cleaning ${x.site}`,
      },
    ],
  },
  legal: {
    id: 'legal',
    kind: 'service',
    expenseType: 'Legal Fees',
    role: 'corporate',
    category: CATEGORIES.legal,
    vatPercent: 20n,
    poShare: 0.5,
    services: [
      {
        unit: 'hour',
        quantity: [3, 40],
        price: ['150.00', '320.00'],
        describe: (x) => `Legal advice – matter ${x.number()}`,
      },
      {
        unit: 'day',
        quantity: [1, 5],
        price: ['900.00', '2500.00'],
        describe: (x) =>
          `Counsel's fees – ${x.pick(['care proceedings', 'employment tribunal', 'judicial review', 'planning appeal', 'contract dispute'])}`,
      },
    ],
  },
  consultancy: {
    id: 'consultancy',
    kind: 'service',
    expenseType: 'Consultancy',
    role: 'corporate',
    category: CATEGORIES.consultancy,
    vatPercent: 20n,
    poShare: 0.9,
    services: [
      {
        unit: 'day',
        quantity: [2, 40],
        price: ['550.00', '1250.00'],
        describe: (x) =>
          `Consultancy – ${x.pick(['transformation programme', 'asset valuation', 'structural survey', 'procurement review', 'digital strategy', 'audit support'])}`,
      },
    ],
  },
  training: {
    id: 'training',
    kind: 'service',
    expenseType: 'Training',
    role: 'corporate',
    category: CATEGORIES.training,
    vatPercent: 20n,
    poShare: 0.4,
    services: [
      {
        unit: 'place',
        quantity: [1, 20],
        price: ['95.00', '450.00'],
        describe: (x) =>
          `Training – ${x.pick(['safeguarding level 3', 'first aid at work', 'IOSH managing safely', 'manual handling', 'CIPFA accountancy module', 'ILM leadership'])}`,
      },
    ],
  },
  'vehicle-maintenance': {
    id: 'vehicle-maintenance',
    kind: 'service',
    expenseType: 'Vehicle Repairs & Maintenance',
    role: 'fleet',
    category: CATEGORIES.vehicles,
    vatPercent: 20n,
    poShare: 0.6,
    services: [
      {
        unit: 'job',
        quantity: [1, 1],
        price: ['180.00', '2400.00'],
        describe: (x) =>
          `Vehicle service and MOT – ${x.pick(['PN19', 'PK21', 'YJ70', 'MX22', 'PO68'])} ${x.pick(['ABC', 'FXT', 'KLM', 'RTY', 'WSD'])}`,
      },
      {
        unit: 'tyre',
        quantity: [2, 8],
        price: ['85.00', '420.00'],
        describe: () => 'Tyres supplied and fitted',
      },
    ],
  },
  insurance: {
    id: 'insurance',
    kind: 'service',
    expenseType: 'Insurance Premiums',
    role: 'corporate',
    category: CATEGORIES.insurance,
    vatPercent: 0n,
    poShare: 0.2,
    services: [
      {
        unit: 'year',
        quantity: [1, 1],
        price: ['8000.00', '450000.00'],
        describe: (x) =>
          `Insurance premium – ${x.pick(['property', 'motor fleet', 'public liability', 'employers liability'])}`,
      },
    ],
  },
  postage: {
    id: 'postage',
    kind: 'service',
    expenseType: 'Postage',
    role: 'corporate',
    category: CATEGORIES.postage,
    vatPercent: 0n,
    poShare: 0,
    services: [
      {
        unit: 'item',
        quantity: [1000, 40000],
        price: ['0.55', '1.10'],
        describe: (x) => `Postage ${x.month}`,
      },
    ],
  },
  security: {
    id: 'security',
    kind: 'service',
    expenseType: 'Security & Fire Alarms',
    role: 'estates',
    category: CATEGORIES.security,
    vatPercent: 20n,
    poShare: 0.7,
    services: [
      {
        unit: 'visit',
        quantity: [1, 2],
        price: ['120.00', '950.00'],
        describe: (x) => `Fire alarm maintenance – ${x.site}`,
      },
      {
        unit: 'hour',
        quantity: [100, 1500],
        price: ['16.00', '24.00'],
        describe: (x) => `Manned guarding ${x.site} ${x.month}`,
      },
    ],
  },
  'catering-services': {
    id: 'catering-services',
    kind: 'service',
    expenseType: 'Catering Contract',
    role: 'education',
    category: CATEGORIES.catering,
    vatPercent: 0n,
    poShare: 0.8,
    services: [
      {
        unit: 'meal',
        quantity: [2000, 30000],
        price: ['2.30', '2.90'],
        describe: (x) => `Meals provided ${x.month}`,
      },
    ],
  },
  overseas: {
    id: 'overseas',
    kind: 'overseas',
    expenseType: 'Overseas Suppliers',
    role: 'corporate',
    category: CATEGORIES.overseas,
    vatPercent: 0n,
    poShare: 0,
    services: [
      {
        unit: 'licence',
        quantity: [50, 900],
        price: ['30.00', '36.00'],
        onlyFor: ['council', 'police', 'health', 'other'],
        describe: (x) => `Cloud productivity licences ${x.month}`,
      },
      {
        unit: 'pupil',
        quantity: [20, 60],
        price: ['280.00', '450.00'],
        onlyFor: ['school'],
        describe: () => 'Residential school trip – Normandy',
      },
      {
        unit: 'visit',
        quantity: [1, 1],
        price: ['4000.00', '25000.00'],
        onlyFor: ['fire'],
        describe: () => 'Aerial ladder platform service visit',
      },
    ],
  },
};

export const CATALOGUE: readonly CatalogueItem[] = ITEM_GROUPS.flatMap((group) =>
  group.items.map(([itemCode, description, unit, listPrice]): CatalogueItem => {
    const fourPlaces = listPrice.split('.')[1]?.length === 4;
    return {
      itemCode,
      description,
      unit,
      listPrice: toScaled(listPrice, 4),
      quantityStep: fourPlaces ? 100 : 1,
      pricePlaces: fourPlaces ? 4 : 2,
      trade: group.trade,
      category: group.category,
      vatPercent: group.vat ?? TRADES[group.trade].vatPercent,
    };
  }),
);

export function itemsOfTrade(trade: TradeId): CatalogueItem[] {
  return CATALOGUE.filter((item) => item.trade === trade);
}
