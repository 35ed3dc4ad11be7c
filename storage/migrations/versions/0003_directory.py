"""directory: data·inclusion structures and services, communes, directory facts

The communes table is filled from config/communes.csv by the application (bot.directory.communes.
ensure_communes), not by this migration, so a newer commune file can be loaded without a new
revision.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:28:00.485901
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('communes',
    sa.Column('insee', sa.String(length=5), nullable=False),
    sa.Column('nom', sa.String(length=128), nullable=False),
    sa.Column('codes_postaux', sa.String(length=128), nullable=False),
    sa.Column('departement', sa.String(length=3), nullable=False),
    sa.Column('region', sa.String(length=3), nullable=False),
    sa.Column('epci', sa.String(length=9), nullable=True),
    sa.Column('parent', sa.String(length=5), nullable=True),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('precision', sa.String(length=12), nullable=True),
    sa.PrimaryKeyConstraint('insee', name=op.f('pk_communes'))
    )
    op.create_table('directory_meta',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_directory_meta'))
    )
    op.create_table('directory_structures',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=128), nullable=False),
    sa.Column('di_id', sa.String(length=255), nullable=False),
    sa.Column('nom', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('siret', sa.String(length=14), nullable=True),
    sa.Column('commune', sa.Text(), nullable=True),
    sa.Column('code_postal', sa.String(length=5), nullable=True),
    sa.Column('code_insee', sa.String(length=5), nullable=True),
    sa.Column('adresse', sa.Text(), nullable=True),
    sa.Column('complement_adresse', sa.Text(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('telephone', sa.Text(), nullable=True),
    sa.Column('courriel', sa.Text(), nullable=True),
    sa.Column('site_web', sa.Text(), nullable=True),
    sa.Column('lien_source', sa.Text(), nullable=True),
    sa.Column('horaires_accueil', sa.Text(), nullable=True),
    sa.Column('accessibilite_lieu', sa.Text(), nullable=True),
    sa.Column('reseaux_porteurs', sa.JSON(), nullable=True),
    sa.Column('date_maj', sa.Date(), nullable=False),
    sa.Column('geo_lat', sa.Float(), nullable=True),
    sa.Column('geo_lon', sa.Float(), nullable=True),
    sa.Column('geo_from', sa.String(length=12), nullable=True),
    sa.Column('record_hash', sa.String(length=64), nullable=False),
    sa.Column('imported_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_directory_structures')),
    sa.UniqueConstraint('source', 'di_id', name='uq_directory_structures_source_id')
    )
    op.create_table('directory_services',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=128), nullable=False),
    sa.Column('di_id', sa.String(length=255), nullable=False),
    sa.Column('structure_pk', sa.Integer(), nullable=False),
    sa.Column('structure_di_id', sa.String(length=255), nullable=False),
    sa.Column('nom', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=True),
    sa.Column('thematiques', sa.JSON(), nullable=True),
    sa.Column('frais', sa.String(length=16), nullable=True),
    sa.Column('frais_precisions', sa.Text(), nullable=True),
    sa.Column('publics', sa.JSON(), nullable=True),
    sa.Column('publics_precisions', sa.Text(), nullable=True),
    sa.Column('conditions_acces', sa.Text(), nullable=True),
    sa.Column('commune', sa.Text(), nullable=True),
    sa.Column('code_postal', sa.String(length=5), nullable=True),
    sa.Column('code_insee', sa.String(length=5), nullable=True),
    sa.Column('adresse', sa.Text(), nullable=True),
    sa.Column('complement_adresse', sa.Text(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('telephone', sa.Text(), nullable=True),
    sa.Column('courriel', sa.Text(), nullable=True),
    sa.Column('contact_nom_prenom', sa.Text(), nullable=True),
    sa.Column('modes_accueil', sa.JSON(), nullable=True),
    sa.Column('modes_mobilisation', sa.JSON(), nullable=True),
    sa.Column('mobilisable_par', sa.JSON(), nullable=True),
    sa.Column('mobilisation_precisions', sa.Text(), nullable=True),
    sa.Column('zone_eligibilite', sa.JSON(), nullable=True),
    sa.Column('lien_mobilisation', sa.Text(), nullable=True),
    sa.Column('lien_source', sa.Text(), nullable=True),
    sa.Column('horaires_accueil', sa.Text(), nullable=True),
    sa.Column('nombre_semaines', sa.Integer(), nullable=True),
    sa.Column('volume_horaire_hebdomadaire', sa.Float(), nullable=True),
    sa.Column('date_maj', sa.Date(), nullable=False),
    sa.Column('geo_lat', sa.Float(), nullable=True),
    sa.Column('geo_lon', sa.Float(), nullable=True),
    sa.Column('geo_from', sa.String(length=12), nullable=True),
    sa.Column('record_hash', sa.String(length=64), nullable=False),
    sa.Column('imported_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['structure_pk'], ['directory_structures.pk'], name=op.f('fk_directory_services_structure_pk_directory_structures'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_directory_services')),
    sa.UniqueConstraint('source', 'di_id', name='uq_directory_services_source_id')
    )
    with op.batch_alter_table('directory_services', schema=None) as batch_op:
        batch_op.create_index('ix_directory_services_structure_pk', ['structure_pk'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('directory_services', schema=None) as batch_op:
        batch_op.drop_index('ix_directory_services_structure_pk')

    op.drop_table('directory_services')
    op.drop_table('directory_structures')
    op.drop_table('directory_meta')
    op.drop_table('communes')
