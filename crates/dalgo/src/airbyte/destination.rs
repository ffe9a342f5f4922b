//! The org's warehouse destination: named `<slug>-warehouse`, adopted by a
//! re-run, replaced (when nothing writes to it) if the warehouse type changed.

use super::*;

/// The connector name Airbyte gives each warehouse type's destination.
pub(super) fn destination_connector(wtype: crate::warehouse::WarehouseType) -> &'static str {
    match wtype {
        crate::warehouse::WarehouseType::Postgres => "Postgres",
        crate::warehouse::WarehouseType::Bigquery => "BigQuery",
        crate::warehouse::WarehouseType::Snowflake => "Snowflake",
    }
}

/// The org's warehouse destination as Airbyte knows it: the recorded one,
/// else the one named after the org with the wanted connector (a run killed
/// after Airbyte made it and before its id was recorded).
pub(super) async fn current_destination(
    c: &Client,
    ow: &OrgWorkspace,
    recorded: Option<&str>,
    def: &Definition,
) -> Result<Option<ActorRead>> {
    if let Some(id) = recorded {
        match get(c, Actor::Destination, id).await {
            Ok(d) => return Ok(Some(d)),
            Err(e) if is_not_found(&e) => tracing::warn!(destination = %id, "recorded destination is gone"),
            Err(e) => return Err(e),
        }
    }
    let name = destination_name(&ow.org.slug);
    Ok(list(c, Actor::Destination, &ow.workspace_id)
        .await?
        .into_iter()
        .find(|d| d.name == name && d.definition_id == def.id))
}

/// Named after the org, so a killed run's destination is adopted, not duplicated.
pub(super) fn destination_name(org_slug: &str) -> String {
    format!("{org_slug}-warehouse")
}

/// Airbyte cannot change a destination's connector: one of another
/// connector can only be replaced, and only while no connection writes to it.
pub(super) async fn ensure_replaceable(
    c: &Client,
    ow: &OrgWorkspace,
    old: &ActorRead,
    wanted: &Definition,
) -> Result<()> {
    let writing =
        list_connections(c, &ow.workspace_id).await?.iter().filter(|conn| conn.destination_id == old.id).count();
    if writing == 0 {
        return Ok(());
    }
    Err(Error::InUse {
        message: format!(
            "the warehouse of {slug} is the {} destination {} in Airbyte, and {writing} connection(s) write to it; \
             Airbyte cannot turn it into a {} destination, and its connections cannot move: delete them first, \
             then set the warehouse again",
            old.connector,
            old.id,
            wanted.name,
            slug = ow.org.slug
        ),
        next: Some(crate::error::NextStep::ListConnections { org: ow.org.slug.clone() }),
    })
}

/// Refuses, before anything is written, a warehouse type change that the
/// destination step could not carry out (see [`ensure_replaceable`]). Asks
/// Airbyte only when the type changes and a destination is recorded.
pub(crate) async fn check_warehouse_type_change(
    db: &Db,
    c: &Client,
    org: &crate::org::Org,
    wtype: crate::warehouse::WarehouseType,
) -> Result<()> {
    let wh = crate::warehouse::find(&mut *db.pool().acquire().await?, org).await?;
    let (Some(wh), Some(workspace_id)) = (wh, &org.airbyte_workspace_id) else {
        return Ok(());
    };
    if wh.wtype == wtype.as_str() || wh.airbyte_destination_id.is_none() {
        return Ok(());
    }
    let ow = OrgWorkspace { org: org.clone(), workspace_id: workspace_id.clone() };
    let def = find_definition(c, Actor::Destination, workspace_id, destination_connector(wtype)).await?;
    match current_destination(c, &ow, wh.airbyte_destination_id.as_deref(), &def).await? {
        Some(old) if old.definition_id != def.id => ensure_replaceable(c, &ow, &old, &def).await,
        _ => Ok(()),
    }
}

/// Creates (or updates) the org's warehouse destination in Airbyte from the
/// warehouse credentials, and records its id on the warehouse. A recorded
/// destination Airbyte no longer knows is found by its name, or created anew;
/// one of another connector (the warehouse changed type) is deleted and
/// replaced, when no connection writes to it.
pub(crate) async fn upsert_warehouse_destination(
    db: &Db,
    c: &Client,
    org: &Org,
    creds: crate::warehouse::Credentials<'_>,
    actor: &str,
) -> Result<ActorRead> {
    let crate::warehouse::Credentials { wtype, config: creds } = creds;
    let ow = OrgWorkspace::of(org.clone())?;
    let wh = crate::warehouse::find(&mut *db.pool().acquire().await?, &ow.org)
        .await?
        .ok_or_else(|| Error::NoWarehouse(ow.org.slug.clone()))?;
    let config = Value::Object(creds.clone());
    let def = find_definition(c, Actor::Destination, &ow.workspace_id, destination_connector(wtype)).await?;
    let dest = match current_destination(c, &ow, wh.airbyte_destination_id.as_deref(), &def).await? {
        Some(d) if d.definition_id == def.id => update(c, Actor::Destination, &d.id, None, &config).await?,
        other => {
            if let Some(old) = other {
                ensure_replaceable(c, &ow, &old, &def).await?;
                // Deleted first: a run killed in between finds no destination
                // and creates one, rather than leaving the old one behind.
                delete(c, Actor::Destination, &old.id).await?;
            }
            ow.create(c, Actor::Destination, &def.id, &destination_name(&ow.org.slug), &config).await?
        }
    };
    let mut tx = db.pool().begin().within().await?;
    sqlx::query("UPDATE warehouses SET airbyte_destination_id = $2, updated_at = now() WHERE id = $1")
        .bind(wh.id)
        .bind(&dest.id)
        .execute(&mut *tx)
        .within()
        .await?;
    audit::Entry::new(actor, Action::Update, Resource::Warehouse, &wh.credentials_secret)
        .of(Some(&ow.org))
        .details(json!({ "airbyte_destination_id": dest.id }))
        .record(&mut tx)
        .await?;
    tx.commit().within().await?;
    Ok(dest)
}
