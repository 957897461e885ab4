//! Business-plausible vocabulary: object nouns, field labels by type, picklist values, people.
//!
//! Generated orgs must read like a real company's org (Invoice, Shipment, Warranty Claim), so
//! reviewers and demo users recognise what they see; nothing is called `Object1`.

use super::Rng;

/// Object nouns (singular label, plural label).
pub const NOUNS: &[(&str, &str)] = &[
    ("Invoice", "Invoices"),
    ("Shipment", "Shipments"),
    ("Warranty Claim", "Warranty Claims"),
    ("Service Contract", "Service Contracts"),
    ("Work Order", "Work Orders"),
    ("Purchase Order", "Purchase Orders"),
    ("Delivery", "Deliveries"),
    ("Asset Inspection", "Asset Inspections"),
    ("Maintenance Plan", "Maintenance Plans"),
    ("Project", "Projects"),
    ("Milestone", "Milestones"),
    ("Timesheet", "Timesheets"),
    ("Expense Report", "Expense Reports"),
    ("Vendor", "Vendors"),
    ("Supplier Agreement", "Supplier Agreements"),
    ("Inventory Item", "Inventory Items"),
    ("Warehouse", "Warehouses"),
    ("Return Authorization", "Return Authorizations"),
    ("Quote Request", "Quote Requests"),
    ("Subscription", "Subscriptions"),
    ("Renewal", "Renewals"),
    ("Partner Referral", "Partner Referrals"),
    ("Training Session", "Training Sessions"),
    ("Certification", "Certifications"),
    ("Site Visit", "Site Visits"),
    ("Installation", "Installations"),
    ("Field Survey", "Field Surveys"),
    ("Incident", "Incidents"),
    ("Change Request", "Change Requests"),
    ("Compliance Audit", "Compliance Audits"),
    ("Risk Assessment", "Risk Assessments"),
    ("Budget Line", "Budget Lines"),
    ("Forecast Entry", "Forecast Entries"),
    ("Commission", "Commissions"),
    ("Territory Plan", "Territory Plans"),
    ("Event Booking", "Event Bookings"),
    ("Venue", "Venues"),
    ("Donation", "Donations"),
    ("Grant Application", "Grant Applications"),
    ("Membership", "Memberships"),
    ("Loyalty Reward", "Loyalty Rewards"),
    ("Promotion", "Promotions"),
    ("Product Registration", "Product Registrations"),
    ("Spare Part", "Spare Parts"),
    ("Repair Order", "Repair Orders"),
    ("Fleet Vehicle", "Fleet Vehicles"),
    ("Route Plan", "Route Plans"),
    ("Carrier Rate", "Carrier Rates"),
    ("Customs Declaration", "Customs Declarations"),
    ("Freight Claim", "Freight Claims"),
    ("Property Listing", "Property Listings"),
    ("Lease Agreement", "Lease Agreements"),
    ("Tenant Request", "Tenant Requests"),
    ("Permit", "Permits"),
    ("Loan Application", "Loan Applications"),
    ("Credit Review", "Credit Reviews"),
    ("Collection Item", "Collection Items"),
    ("Payment Plan", "Payment Plans"),
    ("Billing Schedule", "Billing Schedules"),
    ("Usage Record", "Usage Records"),
    ("Meter Reading", "Meter Readings"),
    ("Energy Contract", "Energy Contracts"),
    ("Onboarding Task", "Onboarding Tasks"),
    ("Feedback Survey", "Feedback Surveys"),
    ("Knowledge Review", "Knowledge Reviews"),
];

/// Qualifiers that make more object names at large sizes ("Regional Shipment").
pub const QUALIFIERS: &[&str] = &[
    "Regional",
    "Global",
    "Partner",
    "Internal",
    "Customer",
    "Field",
    "Legacy",
    "Priority",
    "Wholesale",
    "Retail",
    "Enterprise",
    "Quarterly",
    "Annual",
    "Emergency",
    "Seasonal",
    "Channel",
    "Digital",
    "Export",
    "Import",
    "Fleet",
    "Vendor",
    "Contract",
    "Pilot",
    "Northern",
    "Southern",
    "Eastern",
    "Western",
    "Central",
    "Premium",
    "Standard",
];

/// Field label pools by kind. The first entry of each pool is the "core" field.
pub const TEXT: &[&str] = &[
    "Reference Number",
    "Tracking Number",
    "Contact Name",
    "Region Code",
    "Account Code",
    "Serial Number",
    "Batch Code",
    "Vendor Code",
    "PO Number",
    "Contract Number",
    "Site Code",
    "Carrier Name",
    "Model Number",
    "License Number",
    "Project Code",
    "Cost Center",
];
pub const TEXT_AREA: &[&str] = &[
    "Notes",
    "Shipping Address",
    "Internal Notes",
    "Special Instructions",
    "Billing Address",
];
pub const LONG_TEXT: &[&str] = &[
    "Description",
    "Resolution Details",
    "Inspection Findings",
    "Customer Feedback",
    "Approval Comments",
    "Risk Summary",
];
pub const NUMBER: &[&str] = &[
    "Quantity",
    "Weight Kg",
    "Units Ordered",
    "Line Count",
    "Duration Hours",
    "Distance Km",
    "Score",
    "Headcount",
    "Pallet Count",
    "Lead Time Days",
];
pub const CURRENCY: &[&str] = &[
    "Amount",
    "Unit Price",
    "Total Cost",
    "Tax Amount",
    "Discount Amount",
    "Budget",
    "Estimated Value",
    "Shipping Cost",
    "Deposit Amount",
    "Penalty Amount",
];
pub const PERCENT: &[&str] = &[
    "Discount Percent",
    "Completion Percent",
    "Margin Percent",
    "Tax Rate",
    "Success Rate",
];
pub const CHECKBOX: &[&str] = &[
    "Requires Approval",
    "Is Priority",
    "Is Billable",
    "Customer Notified",
    "Is Archived",
    "Escalated",
    "Is Taxable",
    "Signed Off",
];
pub const DATE: &[&str] = &[
    "Due Date",
    "Start Date",
    "End Date",
    "Shipped Date",
    "Approval Date",
    "Renewal Date",
    "Inspection Date",
    "Expiry Date",
];
pub const DATETIME: &[&str] = &[
    "Submitted At",
    "Last Synced At",
    "Closed At",
    "Scheduled At",
];
pub const EMAIL: &[&str] = &["Contact Email", "Billing Email", "Notification Email"];
pub const PHONE: &[&str] = &["Contact Phone", "Support Phone", "Mobile Phone"];
pub const URL: &[&str] = &["Tracking Url", "Portal Link", "Document Link"];

/// Picklists: label and values (first value is the default).
pub const PICKLISTS: &[(&str, &[&str])] = &[
    (
        "Status",
        &[
            "Draft",
            "Submitted",
            "In Review",
            "Approved",
            "Rejected",
            "Closed",
        ],
    ),
    ("Priority", &["Low", "Medium", "High", "Critical"]),
    ("Region", &["North America", "EMEA", "APAC", "LATAM"]),
    (
        "Category",
        &["Hardware", "Software", "Services", "Consulting"],
    ),
    ("Channel", &["Direct", "Partner", "Online", "Retail"]),
    ("Tier", &["Bronze", "Silver", "Gold", "Platinum"]),
    (
        "Stage",
        &[
            "Planned",
            "In Progress",
            "On Hold",
            "Completed",
            "Cancelled",
        ],
    ),
    ("Payment Terms", &["Net 15", "Net 30", "Net 45", "Net 60"]),
    ("Shipping Method", &["Ground", "Air", "Ocean", "Courier"]),
    ("Severity", &["Minor", "Major", "Critical"]),
];
pub const MULTI_PICKLISTS: &[(&str, &[&str])] = &[
    (
        "Product Lines",
        &["Sensors", "Controllers", "Gateways", "Analytics"],
    ),
    (
        "Regions Served",
        &["North America", "EMEA", "APAC", "LATAM"],
    ),
    (
        "Certifications",
        &["ISO 9001", "ISO 27001", "SOC 2", "GDPR"],
    ),
    (
        "Languages",
        &["English", "French", "German", "Spanish", "Japanese"],
    ),
];

/// Values drift adds to picklists ("a new value was requested").
pub const EXTRA_PICKLIST_VALUES: &[&str] = &[
    "Pending",
    "Escalated",
    "Archived",
    "Expedited",
    "Deferred",
    "Under Review",
    "Waitlisted",
    "Strategic",
];

/// Record type labels.
pub const RECORD_TYPES: &[&str] = &["Standard", "Enterprise", "Partner", "Internal", "Express"];

/// Label templates: (suffix of the label name, value with `{}` for the object label).
pub const LABEL_TEMPLATES: &[(&str, &str)] = &[
    ("Save_Success", "{} saved successfully."),
    ("Not_Found", "The requested {} could not be found."),
    ("Access_Denied", "You do not have access to this {}."),
    ("Delete_Confirm", "Are you sure you want to delete this {}?"),
    (
        "Submit_Help",
        "Submit the {} for review once all required fields are complete.",
    ),
    ("Export_Complete", "{} export completed."),
    (
        "Approval_Required",
        "This {} requires approval before it can be closed.",
    ),
    ("Duplicate_Warning", "A similar {} already exists."),
    (
        "Sync_Failed",
        "The {} could not be synchronised with the ERP system.",
    ),
    ("Archive_Notice", "Archived {} records are read-only."),
    ("Owner_Changed", "{} ownership was transferred."),
    (
        "Reminder",
        "Please review the open {} before the end of the week.",
    ),
];

/// Company names for generated Account records.
pub const COMPANIES: &[&str] = &[
    "Globex Logistics",
    "Initech Manufacturing",
    "Umbrella Health",
    "Stark Robotics",
    "Wayne Aerospace",
    "Cyberdyne Systems",
    "Soylent Foods",
    "Tyrell Biotech",
    "Wonka Confections",
    "Hooli Cloud",
];
pub const INDUSTRIES: &[&str] = &[
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
];

/// Yields unique business object names: nouns first (shuffled), then qualified nouns.
pub(crate) struct ObjectNames {
    order: Vec<(usize, usize)>,
    next: usize,
}

impl ObjectNames {
    pub fn new(rng: &mut Rng) -> Self {
        let mut plain: Vec<(usize, usize)> = (0..NOUNS.len()).map(|n| (usize::MAX, n)).collect();
        rng.shuffle(&mut plain);
        let mut qualified: Vec<(usize, usize)> = (0..QUALIFIERS.len())
            .flat_map(|q| (0..NOUNS.len()).map(move |n| (q, n)))
            .collect();
        rng.shuffle(&mut qualified);
        plain.extend(qualified);
        Self {
            order: plain,
            next: 0,
        }
    }

    pub fn next_name(&mut self) -> Option<(String, String)> {
        let (q, n) = *self.order.get(self.next)?;
        self.next += 1;
        let (s, p) = NOUNS[n];
        Some(if q == usize::MAX {
            (s.to_owned(), p.to_owned())
        } else {
            let q = QUALIFIERS[q];
            (format!("{q} {s}"), format!("{q} {p}"))
        })
    }
}

/// `Warranty Claim` → `Warranty_Claim`.
pub fn api_base(label: &str) -> String {
    let mut s = String::with_capacity(label.len());
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('_') {
            s.push('_');
        }
    }
    s.trim_end_matches('_').to_owned()
}

/// `Warranty Claim` → `WarrantyClaim` (Apex class prefix).
pub fn pascal(label: &str) -> String {
    label
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// `Warranty Claim` → `warrantyClaim` (Apex variable name).
pub fn camel(label: &str) -> String {
    let p = pascal(label);
    let mut chars = p.chars();
    match chars.next() {
        Some(f) => f.to_ascii_lowercase().to_string() + chars.as_str(),
        None => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_forms() {
        assert_eq!(api_base("Weight Kg"), "Weight_Kg");
        assert_eq!(api_base("Food & Beverage"), "Food_Beverage");
        assert_eq!(pascal("Warranty Claim"), "WarrantyClaim");
        assert_eq!(camel("Warranty Claim"), "warrantyClaim");
    }
}
