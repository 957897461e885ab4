//! The type table itself. Values follow Salesforce's describeMetadata (directory, suffix,
//! inFolder, metaFile, childXmlNames); collection ordering rules are ours, from how
//! Salesforce treats each list (see shared/protocol/metadata-formats.md §4–§5).

use super::{BundleKind, ChildType, Collection, Layout, MetadataType};

const BASE: MetadataType = MetadataType {
    name: "",
    directory_name: "",
    suffix: None,
    meta_file: false,
    in_folder: false,
    folder_type: None,
    folder_content_type: None,
    strict_directory: false,
    layout: Layout::Plain,
    children: &[],
    collections: &[],
};

const fn plain(name: &'static str, dir: &'static str, suffix: &'static str) -> MetadataType {
    MetadataType {
        name,
        directory_name: dir,
        suffix: Some(suffix),
        ..BASE
    }
}

const fn content(name: &'static str, dir: &'static str, suffix: &'static str) -> MetadataType {
    MetadataType {
        name,
        directory_name: dir,
        suffix: Some(suffix),
        meta_file: true,
        layout: Layout::ContentAndMeta,
        ..BASE
    }
}

const fn bundle(name: &'static str, dir: &'static str, kind: BundleKind) -> MetadataType {
    MetadataType {
        name,
        directory_name: dir,
        strict_directory: true,
        layout: Layout::Bundle(kind),
        ..BASE
    }
}

const fn in_folder(
    name: &'static str,
    dir: &'static str,
    suffix: &'static str,
    folder: &'static str,
) -> MetadataType {
    MetadataType {
        name,
        directory_name: dir,
        suffix: Some(suffix),
        in_folder: true,
        folder_type: Some(folder),
        ..BASE
    }
}

const fn folder(
    name: &'static str,
    dir: &'static str,
    suffix: &'static str,
    holds: &'static str,
) -> MetadataType {
    MetadataType {
        name,
        directory_name: dir,
        suffix: Some(suffix),
        folder_content_type: Some(holds),
        ..BASE
    }
}

const fn child(
    name: &'static str,
    element: &'static str,
    dir: &'static str,
    suffix: &'static str,
) -> ChildType {
    ChildType {
        name,
        xml_element: element,
        directory: dir,
        suffix,
        id_element: "fullName",
        ignore_parent_name: false,
    }
}

const fn set(path: &'static str, key: &'static [&'static str]) -> Collection {
    Collection {
        path,
        key,
        ordered: false,
    }
}

const fn list(path: &'static str, key: &'static [&'static str]) -> Collection {
    Collection {
        path,
        key,
        ordered: true,
    }
}

const FULL_NAME: &[&str] = &["fullName"];
/// The identity of a flow element: its API name.
const NAME: &[&str] = &["name"];

const OBJECT_CHILDREN: &[ChildType] = &[
    child(
        "BusinessProcess",
        "businessProcesses",
        "businessProcesses",
        "businessProcess",
    ),
    child(
        "CompactLayout",
        "compactLayouts",
        "compactLayouts",
        "compactLayout",
    ),
    child("CustomField", "fields", "fields", "field"),
    child("FieldSet", "fieldSets", "fieldSets", "fieldSet"),
    child("Index", "indexes", "indexes", "index"),
    child("ListView", "listViews", "listViews", "listView"),
    child("RecordType", "recordTypes", "recordTypes", "recordType"),
    child(
        "SharingReason",
        "sharingReasons",
        "sharingReasons",
        "sharingReason",
    ),
    child(
        "ValidationRule",
        "validationRules",
        "validationRules",
        "validationRule",
    ),
    child("WebLink", "webLinks", "webLinks", "webLink"),
];

const OBJECT_COLLECTIONS: &[Collection] = &[
    set(
        "actionOverrides",
        &["actionName", "formFactor", "pageOrSobjectType"],
    ),
    set("businessProcesses", FULL_NAME),
    set("compactLayouts", FULL_NAME),
    set("fields", FULL_NAME),
    list("fields/valueSet/valueSetDefinition/value", FULL_NAME),
    set("fields/valueSet/valueSettings", &["valueName"]),
    set("fieldSets", FULL_NAME),
    set("indexes", FULL_NAME),
    set("listViews", FULL_NAME),
    list("listViews/columns", &[]),
    list("listViews/filters", &[]),
    set("recordTypes", FULL_NAME),
    set("recordTypes/picklistValues", &["picklist"]),
    list("recordTypes/picklistValues/values", FULL_NAME),
    set("sharingReasons", FULL_NAME),
    set("validationRules", FULL_NAME),
    set("webLinks", FULL_NAME),
];

/// Collections of a standalone CustomField file (source format): the same picklist rules as
/// inside the object.
pub const CUSTOM_FIELD_COLLECTIONS: &[Collection] = &[
    list("valueSet/valueSetDefinition/value", FULL_NAME),
    set("valueSet/valueSettings", &["valueName"]),
];

/// Sections shared by Profile and PermissionSet: keyed sets, never ordered lists.
const PERMISSION_COLLECTIONS: &[Collection] = &[
    set("applicationVisibilities", &["application"]),
    set("classAccesses", &["apexClass"]),
    set("customMetadataTypeAccesses", &["name"]),
    set("customPermissions", &["name"]),
    set("customSettingAccesses", &["name"]),
    set("externalDataSourceAccesses", &["externalDataSource"]),
    set("fieldPermissions", &["field"]),
    set("flowAccesses", &["flow"]),
    set("layoutAssignments", &["layout", "recordType"]),
    set("objectPermissions", &["object"]),
    set("pageAccesses", &["apexPage"]),
    set("recordTypeVisibilities", &["recordType"]),
    set("tabSettings", &["tab"]),
    set("tabVisibilities", &["tab"]),
    set("userPermissions", &["name"]),
    list("loginIpRanges", &[]),
];

const LAYOUT_COLLECTIONS: &[Collection] = &[
    list("layoutSections", &[]),
    list("layoutSections/layoutColumns", &[]),
    list("layoutSections/layoutColumns/layoutItems", &[]),
    list("relatedLists", &[]),
    list("platformActionList/platformActionListItems", &[]),
];

/// A flow's elements are a set keyed by their API name (the order of top-level elements in
/// the file means nothing: connectors say what runs next), while the entries inside some of
/// them run or show in document order (decision outcomes, assignment items, screen fields).
const FLOW_COLLECTIONS: &[Collection] = &[
    set("actionCalls", NAME),
    set("apexPluginCalls", NAME),
    set("assignments", NAME),
    list("assignments/assignmentItems", &[]),
    set("choices", NAME),
    set("collectionProcessors", NAME),
    set("constants", NAME),
    set("customErrors", NAME),
    set("decisions", NAME),
    list("decisions/rules", NAME),
    set("dynamicChoiceSets", NAME),
    set("formulas", NAME),
    set("loops", NAME),
    set("orchestratedStages", NAME),
    set("processMetadataValues", NAME),
    set("recordCreates", NAME),
    set("recordDeletes", NAME),
    set("recordLookups", NAME),
    set("recordRollbacks", NAME),
    set("recordUpdates", NAME),
    set("screens", NAME),
    list("screens/fields", NAME),
    set("stages", NAME),
    set("steps", NAME),
    set("subflows", NAME),
    set("textTemplates", NAME),
    set("transforms", NAME),
    set("variables", NAME),
    set("waits", NAME),
];

const LABEL_CHILDREN: &[ChildType] = &[ChildType {
    name: "CustomLabel",
    xml_element: "labels",
    directory: "labels",
    suffix: "labels",
    id_element: "fullName",
    ignore_parent_name: true,
}];

const WORKFLOW_CHILDREN: &[ChildType] = &[
    child("WorkflowAlert", "alerts", "workflowAlerts", "workflowAlert"),
    child(
        "WorkflowFieldUpdate",
        "fieldUpdates",
        "workflowFieldUpdates",
        "workflowFieldUpdate",
    ),
    child(
        "WorkflowFlowAction",
        "flowActions",
        "workflowFlowActions",
        "workflowFlowAction",
    ),
    child(
        "WorkflowKnowledgePublish",
        "knowledgePublishes",
        "workflowKnowledgePublishs",
        "workflowKnowledgePublish",
    ),
    child(
        "WorkflowOutboundMessage",
        "outboundMessages",
        "workflowOutboundMessages",
        "workflowOutboundMessage",
    ),
    child("WorkflowRule", "rules", "workflowRules", "workflowRule"),
    child("WorkflowSend", "send", "workflowSends", "workflowSend"),
    child("WorkflowTask", "tasks", "workflowTasks", "workflowTask"),
];

const SHARING_CHILDREN: &[ChildType] = &[
    child(
        "SharingCriteriaRule",
        "sharingCriteriaRules",
        "sharingRules",
        "sharingCriteriaRule",
    ),
    child(
        "SharingGuestRule",
        "sharingGuestRules",
        "sharingRules",
        "sharingGuestRule",
    ),
    child(
        "SharingOwnerRule",
        "sharingOwnerRules",
        "sharingRules",
        "sharingOwnerRule",
    ),
    child(
        "SharingTerritoryRule",
        "sharingTerritoryRules",
        "sharingRules",
        "sharingTerritoryRule",
    ),
];

const TRANSLATION_CHILDREN: &[ChildType] = &[ChildType {
    name: "CustomFieldTranslation",
    xml_element: "fields",
    directory: "fields",
    suffix: "fieldTranslation",
    id_element: "name",
    ignore_parent_name: false,
}];

const ASSIGNMENT_CHILDREN: &[ChildType] = &[child(
    "AssignmentRule",
    "assignmentRule",
    "assignmentRules",
    "assignmentRule",
)];
const AUTO_RESPONSE_CHILDREN: &[ChildType] = &[child(
    "AutoResponseRule",
    "autoResponseRule",
    "autoResponseRules",
    "autoResponseRule",
)];
const ESCALATION_CHILDREN: &[ChildType] = &[child(
    "EscalationRule",
    "escalationRule",
    "escalationRules",
    "escalationRule",
)];
const MATCHING_CHILDREN: &[ChildType] = &[child(
    "MatchingRule",
    "matchingRules",
    "matchingRules",
    "matchingRule",
)];
const BOT_CHILDREN: &[ChildType] = &[child(
    "BotVersion",
    "botVersions",
    "botVersions",
    "botVersion",
)];

/// Every type we know, top-level and folder types.
pub static TYPES: &[MetadataType] = &[
    MetadataType {
        strict_directory: true,
        layout: Layout::Decomposed,
        children: OBJECT_CHILDREN,
        collections: OBJECT_COLLECTIONS,
        ..plain("CustomObject", "objects", "object")
    },
    MetadataType {
        strict_directory: true,
        layout: Layout::Decomposed,
        children: TRANSLATION_CHILDREN,
        collections: &[set("fields", &["name"])],
        ..plain(
            "CustomObjectTranslation",
            "objectTranslations",
            "objectTranslation",
        )
    },
    MetadataType {
        strict_directory: true,
        layout: Layout::Decomposed,
        children: BOT_CHILDREN,
        ..plain("Bot", "bots", "bot")
    },
    MetadataType {
        collections: LAYOUT_COLLECTIONS,
        ..plain("Layout", "layouts", "layout")
    },
    MetadataType {
        collections: PERMISSION_COLLECTIONS,
        ..plain("Profile", "profiles", "profile")
    },
    MetadataType {
        collections: PERMISSION_COLLECTIONS,
        ..plain("PermissionSet", "permissionsets", "permissionset")
    },
    plain(
        "PermissionSetGroup",
        "permissionsetgroups",
        "permissionsetgroup",
    ),
    MetadataType {
        collections: FLOW_COLLECTIONS,
        ..plain("Flow", "flows", "flow")
    },
    plain("FlowDefinition", "flowDefinitions", "flowDefinition"),
    content("ApexClass", "classes", "cls"),
    content("ApexTrigger", "triggers", "trigger"),
    content("ApexPage", "pages", "page"),
    content("ApexComponent", "components", "component"),
    bundle("LightningComponentBundle", "lwc", BundleKind::Lwc),
    bundle("AuraDefinitionBundle", "aura", BundleKind::Aura),
    bundle("ExperienceBundle", "experiences", BundleKind::Experience),
    bundle("WaveTemplateBundle", "waveTemplates", BundleKind::Generic),
    MetadataType {
        children: LABEL_CHILDREN,
        collections: &[set("labels", FULL_NAME)],
        ..plain("CustomLabels", "labels", "labels")
    },
    MetadataType {
        collections: &[list("standardValue", FULL_NAME)],
        ..plain("StandardValueSet", "standardValueSets", "standardValueSet")
    },
    MetadataType {
        collections: &[list("customValue", FULL_NAME)],
        ..plain("GlobalValueSet", "globalValueSets", "globalValueSet")
    },
    plain(
        "GlobalValueSetTranslation",
        "globalValueSetTranslations",
        "globalValueSetTranslation",
    ),
    plain(
        "StandardValueSetTranslation",
        "standardValueSetTranslations",
        "standardValueSetTranslation",
    ),
    plain("CustomTab", "tabs", "tab"),
    plain("CustomApplication", "applications", "app"),
    plain("FlexiPage", "flexipages", "flexipage"),
    MetadataType {
        in_folder: true,
        folder_type: Some("EmailFolder"),
        ..content("EmailTemplate", "email", "email")
    },
    MetadataType {
        strict_directory: true,
        layout: Layout::MixedContent,
        ..content("StaticResource", "staticresources", "resource")
    },
    MetadataType {
        strict_directory: true,
        meta_file: true,
        layout: Layout::MixedContent,
        ..in_folder("Document", "documents", "document", "DocumentFolder")
    },
    in_folder("Report", "reports", "report", "ReportFolder"),
    in_folder("Dashboard", "dashboards", "dashboard", "DashboardFolder"),
    folder("ReportFolder", "reports", "reportFolder", "Report"),
    folder(
        "DashboardFolder",
        "dashboards",
        "dashboardFolder",
        "Dashboard",
    ),
    folder("DocumentFolder", "documents", "documentFolder", "Document"),
    folder("EmailFolder", "email", "emailFolder", "EmailTemplate"),
    folder(
        "EmailTemplateFolder",
        "email",
        "emailTemplateFolder",
        "EmailTemplate",
    ),
    plain("CustomMetadata", "customMetadata", "md"),
    plain("QuickAction", "quickActions", "quickAction"),
    MetadataType {
        children: WORKFLOW_CHILDREN,
        collections: &[
            set("alerts", FULL_NAME),
            set("fieldUpdates", FULL_NAME),
            set("flowActions", FULL_NAME),
            set("knowledgePublishes", FULL_NAME),
            set("outboundMessages", FULL_NAME),
            set("rules", FULL_NAME),
            set("send", FULL_NAME),
            set("tasks", FULL_NAME),
        ],
        ..plain("Workflow", "workflows", "workflow")
    },
    MetadataType {
        children: SHARING_CHILDREN,
        collections: &[
            set("sharingCriteriaRules", FULL_NAME),
            set("sharingGuestRules", FULL_NAME),
            set("sharingOwnerRules", FULL_NAME),
            set("sharingTerritoryRules", FULL_NAME),
        ],
        ..plain("SharingRules", "sharingRules", "sharingRules")
    },
    MetadataType {
        children: ASSIGNMENT_CHILDREN,
        ..plain("AssignmentRules", "assignmentRules", "assignmentRules")
    },
    MetadataType {
        children: AUTO_RESPONSE_CHILDREN,
        ..plain(
            "AutoResponseRules",
            "autoResponseRules",
            "autoResponseRules",
        )
    },
    MetadataType {
        children: ESCALATION_CHILDREN,
        ..plain("EscalationRules", "escalationRules", "escalationRules")
    },
    MetadataType {
        children: MATCHING_CHILDREN,
        ..plain("MatchingRules", "matchingRules", "matchingRule")
    },
    plain("DuplicateRule", "duplicateRules", "duplicateRule"),
    plain("NamedCredential", "namedCredentials", "namedCredential"),
    plain(
        "ExternalCredential",
        "externalCredentials",
        "externalCredential",
    ),
    plain("RemoteSiteSetting", "remoteSiteSettings", "remoteSite"),
    plain("CspTrustedSite", "cspTrustedSites", "cspTrustedSite"),
    plain("ConnectedApp", "connectedApps", "connectedApp"),
    plain("CustomPermission", "customPermissions", "customPermission"),
    plain("Settings", "settings", "settings"),
    plain("Audience", "audience", "audience"),
    content("ContentAsset", "contentassets", "asset"),
    MetadataType {
        strict_directory: true,
        ..plain("CustomSite", "sites", "site")
    },
    content("DataWeaveResource", "dw", "dwl"),
    plain("Letterhead", "letterhead", "letter"),
    plain(
        "LightningMessageChannel",
        "messageChannels",
        "messageChannel",
    ),
    plain("NavigationMenu", "navigationMenus", "navigationMenu"),
    plain("Network", "networks", "network"),
    content("NetworkBranding", "networkBranding", "networkBranding"),
    plain(
        "PlatformCachePartition",
        "cachePartitions",
        "cachePartition",
    ),
    plain(
        "PlatformEventChannelMember",
        "platformEventChannelMembers",
        "platformEventChannelMember",
    ),
    plain(
        "ProfilePasswordPolicy",
        "profilePasswordPolicies",
        "profilePasswordPolicy",
    ),
    plain(
        "ProfileSessionSetting",
        "profileSessionSettings",
        "profileSessionSetting",
    ),
    plain("Prompt", "prompts", "prompt"),
    plain("ReportType", "reportTypes", "reportType"),
    plain("Translations", "translations", "translation"),
    plain("HomePageLayout", "homePageLayouts", "homePageLayout"),
    plain(
        "HomePageComponent",
        "homePageComponents",
        "homePageComponent",
    ),
    plain("CustomPageWebLink", "weblinks", "weblink"),
    plain("Group", "groups", "group"),
    plain("Queue", "queues", "queue"),
    plain("Role", "roles", "role"),
    plain("Territory", "territories", "territory"),
    plain("CustomNotificationType", "notificationtypes", "notiftype"),
    plain("ApexTestSuite", "testSuites", "testSuite"),
    plain("ExternalDataSource", "dataSources", "dataSource"),
    plain("AuthProvider", "authproviders", "authprovider"),
    plain("CallCenter", "callCenters", "callCenter"),
    content("Certificate", "certs", "crt"),
    plain("InstalledPackage", "installedPackages", "installedPackage"),
    plain("PathAssistant", "pathAssistants", "pathAssistant"),
    plain(
        "LightningExperienceTheme",
        "lightningExperienceThemes",
        "lightningExperienceTheme",
    ),
    plain(
        "ApexEmailNotifications",
        "apexEmailNotifications",
        "notifications",
    ),
];
