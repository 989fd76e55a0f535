//! The instruments pages: the catalogue, adding a custom instrument, one instrument.

use super::*;

#[derive(Template)]
#[template(path = "listen/instruments.html")]
pub(super) struct InstrumentsPage {
    layout: Layout,
    instruments: Vec<Instrument>,
    can_add: bool,
    form: InstrumentFields,
    errors: FormErrors,
}

pub(super) async fn instruments_page(
    state: &AppState,
    who: &SignedIn,
    form: InstrumentFields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    Ok(render_status(
        status,
        InstrumentsPage {
            layout: Layout::new(who, "Instruments", "listen"),
            instruments: store::list_instruments(&state.db).await?,
            can_add: can(&who.actor(), Action::ManageInstruments).is_ok(),
            form,
            errors,
        },
    ))
}

pub(super) async fn list_instruments(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, PageError> {
    instruments_page(
        &state,
        &who,
        InstrumentFields::default(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub(super) async fn add_instrument(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<InstrumentFields>,
) -> Result<Response, PageError> {
    match svc::add_instrument(&state.db, &who.actor(), &f).await {
        Ok(i) => {
            done(
                &state,
                &who,
                &format!("/listen/instruments/{}", i.id),
                "Instrument added.",
            )
            .await
        }
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            instruments_page(&state, &who, f, errors, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "listen/instrument.html")]
pub(super) struct InstrumentPage {
    layout: Layout,
    instrument: Instrument,
    sections: Vec<FormSection>,
}

pub(super) async fn show_instrument(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let instrument = store::find_instrument(&state.db, id).await?;
    let sections = form_sections(&instrument.definition, &BTreeMap::new(), &BTreeMap::new());
    Ok(render(InstrumentPage {
        layout: Layout::new(&who, instrument.definition.title.clone(), "listen"),
        instrument,
        sections,
    }))
}
